import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import RuyiAPI
import RuyiCore
import RuyiLedger
import RuyiScanning
import RuyiUSB
import ServiceLifecycle

/// The local API's routes (HTTP/1.1 + JSON on the Unix socket). Documented in `docs/api/openapi.json`; a test diffs
/// this table against that document.
enum APIRoutes {
    /// Every route, as `METHOD /path` with `{param}` placeholders, in the order they are registered.
    static let table: [String] = [
        "GET /v1/status", "GET /v1/devices", "GET /v1/events",
        "POST /v1/session", "DELETE /v1/session",
        "GET /v1/shift", "POST /v1/shift/open",
        "GET /v1/till", "POST /v1/till/scan", "POST /v1/till/lines/{line}/quantity", "DELETE /v1/till/lines/{line}",
        "POST /v1/till/tender/cash", "POST /v1/till/tender/code", "DELETE /v1/till/tender/code", "GET /v1/payments/{order}", "POST /v1/till/tender/code-refund", "POST /v1/till/cancel",
        "POST /v1/setup", "POST /v1/cashiers", "POST /v1/catalog/import", "GET /v1/reports/x",
        "GET /v1/catalog/search", "POST /v1/shift/close",
        "POST /v1/till/park", "GET /v1/parked", "POST /v1/parked/{id}/resume",
        "GET /v1/sales/{id}", "POST /v1/sales/{id}/reprint", "POST /v1/sales/{id}/void",
        "POST /v1/shift/cash", "POST /v1/stock", "GET /v1/stock/low",
        "POST /v1/devices/scanners/{identity}/assign", "DELETE /v1/devices/scanners/{identity}/assign",
        "POST /v1/till/return", "POST /v1/till/return/lines",
        "POST /v1/products/{id}/price", "DELETE /v1/cashiers/{id}",
        "POST /v1/session/owner", "DELETE /v1/session/owner",
        "POST /v1/till/lines/{line}/discount", "DELETE /v1/till/lines/{line}/discount",
        "POST /v1/till/discount", "DELETE /v1/till/discount",
        "GET /v1/cashiers", "POST /v1/cashiers/{id}/pin",
        "POST /v1/reports/x/print", "GET /v1/reports/z/{z}", "POST /v1/reports/z/{z}/print", "POST /v1/devices/printer/test",
        "POST /v1/till/lines", "GET /v1/products/{id}",
    ]

    static func router(_ d: DaemonContext) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: ErrorMiddleware(logger: d.logger))
        router.get("/v1/status") { _, _ in try json(await d.status()) }
        router.get("/v1/devices") { _, _ in try json(await d.devices()) }
        router.get("/v1/events") { _, _ in events(d) }
        router.post("/v1/session") { req, ctx in
            let body = try await decode(SignInRequest.self, req, ctx, d)
            return try await run { try await d.till.signIn(body) }
        }
        router.delete("/v1/session") { _, _ in
            await d.till.signOut()
            return Response(status: .noContent)
        }
        router.post("/v1/session/owner") { req, ctx in
            let body = try await decode(OwnerUnlockRequest.self, req, ctx, d)
            return try await run { try await d.till.unlockOwner(body) }
        }
        router.delete("/v1/session/owner") { _, _ in
            await d.till.lockOwner()
            return Response(status: .noContent)
        }
        router.get("/v1/shift") { _, _ in try json(await d.till.shift()) }
        router.post("/v1/shift/open") { req, ctx in
            let body = try await decode(ShiftOpenRequest.self, req, ctx, d)
            return try await run { try await d.till.openShift(body) }
        }
        router.get("/v1/till") { _, _ in try json(await d.till.view()) }
        router.post("/v1/till/scan") { req, ctx in
            let body = try await decode(ScanRequest.self, req, ctx, d)
            return try await run { try await d.till.scan(bytes: Array(body.data.utf8)) }
        }
        router.post("/v1/till/lines") { req, ctx in
            let body = try await decode(AddLineRequest.self, req, ctx, d)
            return try await run { try await d.till.addLine(body) }
        }
        router.get("/v1/products/{id}") { _, ctx in
            let id = ctx.parameters.get("id")?.removingPercentEncoding ?? ""
            return try await run { try await d.till.productDetail(id) }
        }
        router.post("/v1/till/lines/{line}/quantity") { req, ctx in
            let line = try lineParameter(ctx)
            let body = try await decode(QuantityRequest.self, req, ctx, d)
            return try await run { try await d.till.setQuantity(line: line, body) }
        }
        router.delete("/v1/till/lines/{line}") { _, ctx in
            let line = try lineParameter(ctx)
            return try await run { try await d.till.void(line: line) }
        }
        router.post("/v1/till/lines/{line}/discount") { req, ctx in
            let line = try lineParameter(ctx)
            let body = try await decode(DiscountRequest.self, req, ctx, d)
            return try await run { try await d.till.discountLine(line, body) }
        }
        router.delete("/v1/till/lines/{line}/discount") { _, ctx in
            let line = try lineParameter(ctx)
            return try await run { try await d.till.discountLine(line, nil) }
        }
        router.post("/v1/till/discount") { req, ctx in
            let body = try await decode(DiscountRequest.self, req, ctx, d)
            return try await run { try await d.till.discountSale(body) }
        }
        router.delete("/v1/till/discount") { _, _ in try await run { try await d.till.discountSale(nil) } }
        router.post("/v1/till/tender/cash") { req, ctx in
            let body = try await decode(CashTenderRequest.self, req, ctx, d)
            return try await run { try await d.till.tenderCash(body) }
        }
        router.post("/v1/till/tender/code") { req, ctx in
            let body = try await decode(CodeTenderRequest.self, req, ctx, d)
            return try await run { try await d.till.startCodePayment(body) }
        }
        router.delete("/v1/till/tender/code") { _, _ in try await run { try await d.till.cancelCodePayment() } }
        router.post("/v1/till/tender/code-refund") { _, _ in try await run { try await d.till.refundToCode() } }
        router.get("/v1/payments/{order}") { _, ctx in
            let order = ctx.parameters.get("order") ?? ""
            return try await run { try await d.till.codePayment(order) }
        }
        router.post("/v1/till/cancel") { _, _ in try await run { try await d.till.cancel() } }
        router.post("/v1/setup") { req, ctx in
            let body = try await decode(SetupRequest.self, req, ctx, d)
            return try await run { try await d.till.setup(body) }
        }
        router.post("/v1/cashiers") { req, ctx in
            let body = try await decode(NewCashierRequest.self, req, ctx, d)
            return try await run { try await d.till.addCashier(body) }
        }
        router.post("/v1/catalog/import") { req, _ in
            var req = req
            let buffer: ByteBuffer
            do { buffer = try await req.collectBody(upTo: 256 * 1024 * 1024) } catch {
                throw APIFailure(TillFailure(413, "api.body_too_large", Strings.text("api.body_too_large") + "（商品表上限 256 MB）"))
            }
            let source = String((req.uri.queryParameters.get("source") ?? "api").prefix(200))
            let owner: String
            do { owner = try await d.till.requireOwnerRole() } catch let e as TillFailure { throw APIFailure(e) }
            // Off the till and the event loop; the new products are found as soon as it answers.
            return try await run { try await d.importer.start(csv: Array(buffer.readableBytesView), source: source, owner: owner) }
        }
        router.get("/v1/catalog/search") { req, _ in
            let q = req.uri.queryParameters.get("q") ?? ""
            guard !q.isEmpty, q.count <= 100 else { throw APIFailure(TillFailure(400, "catalog.bad_query", field: "q")) }
            let found: [ProductView]
            do {
                found = try await d.search.search(q).map { e in
                    ProductView(id: e.id.rawValue, name: e.name, price: e.price.formatted,
                                unit: e.unit == .kilogram ? "kg" : "件", barcode: e.barcode, initials: e.initials, active: e.active)
                }
            } catch { throw APIFailure(TillFailure.ledger(error, 500)) }
            return try json(ProductsView(products: found))
        }
        router.post("/v1/products/{id}/price") { req, ctx in
            let id = ctx.parameters.get("id") ?? ""
            let body = try await decode(PriceRequest.self, req, ctx, d)
            return try await run { try await d.till.changePrice(product: id, body) }
        }
        router.get("/v1/cashiers") { _, _ in try await run { try await d.till.cashierList() } }
        router.post("/v1/cashiers/{id}/pin") { req, ctx in
            let id = ctx.parameters.get("id") ?? ""
            let body = try await decode(PINResetRequest.self, req, ctx, d)
            do { try await d.till.resetPIN(of: id, body) } catch let e as TillFailure { throw APIFailure(e) }
            return Response(status: .noContent)
        }
        router.delete("/v1/cashiers/{id}") { _, ctx in
            let id = ctx.parameters.get("id") ?? ""
            do { try await d.till.deactivateCashier(id) } catch let e as TillFailure { throw APIFailure(e) }
            return Response(status: .noContent)
        }
        router.post("/v1/till/return") { req, ctx in
            let body = try await decode(ReturnRequest.self, req, ctx, d)
            return try await run { try await d.till.startReturn(body) }
        }
        router.post("/v1/till/return/lines") { req, ctx in
            let body = try await decode(ReturnLineRequest.self, req, ctx, d)
            return try await run { try await d.till.returnLine(body) }
        }
        router.post("/v1/till/park") { req, ctx in
            let body = try await decode(ParkRequest.self, req, ctx, d)
            return try await run { try await d.till.park(body) }
        }
        router.get("/v1/parked") { _, _ in try await run { try await d.till.parked() } }
        router.post("/v1/parked/{id}/resume") { _, ctx in
            let id = ctx.parameters.get("id") ?? ""
            return try await run { try await d.till.resume(id) }
        }
        router.get("/v1/sales/{id}") { _, ctx in
            let id = ctx.parameters.get("id") ?? ""
            return try await run { try await d.till.sale(id) }
        }
        router.post("/v1/sales/{id}/reprint") { _, ctx in
            let id = ctx.parameters.get("id") ?? ""
            return try await run { try await d.till.reprint(id) }
        }
        router.post("/v1/sales/{id}/void") { req, ctx in
            let id = ctx.parameters.get("id") ?? ""
            let body = try await decode(VoidRequest.self, req, ctx, d)
            return try await run { try await d.till.postVoid(id, body) }
        }
        router.post("/v1/shift/cash") { req, ctx in
            let body = try await decode(CashMovementRequest.self, req, ctx, d)
            let (kind, amount): (CashMovement, Money)
            do { (kind, amount) = try await d.till.cashMovement(body) } catch let e as TillFailure { throw APIFailure(e) }
            // Every movement of cash opens the drawer; a no-sale is nothing else.
            let opened = await d.worker.kickDrawer(requestedAt: monotonicNanoseconds())
            return try json(CashMovementView(kind: kind.rawValue, amount: amount.formatted, drawerOpened: opened))
        }
        router.post("/v1/stock") { req, ctx in
            let body = try await decode(StockRequest.self, req, ctx, d)
            return try await run { try await d.till.stock(body) }
        }
        router.get("/v1/stock/low") { _, _ in try await run { try await d.till.lowStock() } }
        router.post("/v1/devices/scanners/{identity}/assign") { req, ctx in
            let body = try await decode(AssignRequest.self, req, ctx, d)
            let (hub, identity) = try await scannerTarget(ctx, d)
            let s: ScannerStatus
            do { s = try await hub.assign(identity, family: body.profile, confirmed: body.confirmed) } catch let e as AssignmentError { throw APIFailure(assignmentFailure(e)) } catch { throw APIFailure(TillFailure(500, "api.internal")) }
            return try json(DaemonContext.view(s))
        }
        router.delete("/v1/devices/scanners/{identity}/assign") { _, ctx in
            let (hub, identity) = try await scannerTarget(ctx, d)
            let s: ScannerStatus
            do { s = try await hub.unassign(identity) } catch let e as AssignmentError { throw APIFailure(assignmentFailure(e)) } catch { throw APIFailure(TillFailure(500, "api.internal")) }
            return try json(DaemonContext.view(s))
        }
        router.post("/v1/shift/close") { req, ctx in
            let body = try await decode(ShiftCloseRequest.self, req, ctx, d)
            return try await run { try await d.till.closeShift(body) }
        }
        router.get("/v1/reports/x") { _, _ in try await run { try await d.till.xReport() } }
        router.post("/v1/reports/x/print") { _, _ in try await run { try await d.till.printXReport() } }
        router.get("/v1/reports/z/{z}") { _, ctx in
            let z = ctx.parameters.get("z") ?? ""
            return try await run { try await d.till.zReport(z) }
        }
        router.post("/v1/reports/z/{z}/print") { _, ctx in
            let z = ctx.parameters.get("z") ?? ""
            return try await run { try await d.till.printZReport(z) }
        }
        router.post("/v1/devices/printer/test") { _, _ in try await run { try await d.till.printTestPage() } }
        if d.testHooks {
            router.post("/v1/debug/stall") { req, _ in
                let seconds = Double(req.uri.queryParameters.get("seconds") ?? "") ?? 1
                Task { await d.till.stall(seconds: min(seconds, 30)) }
                return Response(status: .accepted)
            }
        }
        return router
    }

    /// The hub and the scanner a devices route names; only the owner assigns profiles.
    static func scannerTarget(_ ctx: BasicRequestContext, _ d: DaemonContext) async throws -> (ScannerHub, ScannerIdentity) {
        do { _ = try await d.till.requireOwnerRole() } catch { throw APIFailure(error) }
        guard let raw = ctx.parameters.get("identity")?.removingPercentEncoding, let identity = ScannerIdentity(parsing: raw) else {
            throw APIFailure(TillFailure(400, "scanner.bad_identity", field: "identity"))
        }
        guard let hub = d.hub else { throw APIFailure(TillFailure(409, "scanner.off")) }
        return (hub, identity)
    }

    static func assignmentFailure(_ e: AssignmentError) -> TillFailure {
        switch e {
        case .needsConfirmation(let r): TillFailure(409, r.code, r.messageZH)
        case .notPresent: TillFailure(404, e.code, Strings.text(e.code))
        case .unknownProfile: TillFailure(400, e.code, Strings.text(e.code), field: "profile")
        default: TillFailure(409, e.code, Strings.text(e.code))
        }
    }

    static func lineParameter(_ ctx: BasicRequestContext) throws -> Int {
        guard let s = ctx.parameters.get("line"), let n = Int(s), n > 0, n <= 10_000 else {
            throw APIFailure(TillFailure(400, "till.no_such_line", field: "line"))
        }
        return n
    }

    static func run<T: Encodable & Sendable>(_ body: () async throws -> T) async throws -> Response {
        do { return try json(try await body()) } catch let e as TillFailure { throw APIFailure(e) }
    }

    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try WireCoding.encode(value)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func decode<T: Decodable>(_ type: T.Type, _ req: Request, _ ctx: BasicRequestContext, _ d: DaemonContext) async throws -> T {
        var req = req
        let buffer: ByteBuffer
        do { buffer = try await req.collectBody(upTo: d.maxBodyBytes) } catch {
            throw APIFailure(TillFailure(413, "api.body_too_large", Strings.text("api.body_too_large") + "（上限 \(d.maxBodyBytes / 1024) KB）"))
        }
        do { return try WireCoding.decoder().decode(T.self, from: Data(buffer.readableBytesView)) } catch {
            throw APIFailure(TillFailure(400, "api.malformed_json", Strings.text("api.malformed_json") + "（\(Self.describe(error))）"))
        }
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): "missing field \(key.stringValue)"
        case DecodingError.typeMismatch(_, let c): "wrong type at \(c.codingPath.map(\.stringValue).joined(separator: "."))"
        case DecodingError.valueNotFound(_, let c): "null at \(c.codingPath.map(\.stringValue).joined(separator: "."))"
        default: "not JSON"
        }
    }

    /// `GET /v1/events`: Server-Sent Events, one `event:`/`data:` pair per daemon event, until the client goes.
    static func events(_ d: DaemonContext) -> Response {
        let stream = d.events.listen()
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                        body: ResponseBody { writer in
            try await writer.write(ByteBuffer(string: ": ruyid events\n\n"))
            // Ends when shutdown begins, so an open `ruyi events` never holds ruyid up.
            for await e in stream.cancelOnGracefulShutdown() {
                let data = (try? WireCoding.encode(e.fields)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
                try await writer.write(ByteBuffer(string: "id: \(e.seq)\nevent: \(e.name)\ndata: \(data)\n\n"))
            }
            try await writer.finish(nil)
        })
    }
}

/// A refusal on its way to the client as a JSON error body.
struct APIFailure: Error {
    let failure: TillFailure
    init(_ f: TillFailure) { failure = f }
}

/// Turns every error into the JSON error body with its stable code; unknown routes too. Never leaks internals.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let e as APIFailure {
            return Self.body(e.failure)
        } catch let e as HTTPError {
            switch e.status {
            case .notFound: return Self.body(TillFailure(404, "api.not_found"))
            case .methodNotAllowed: return Self.body(TillFailure(405, "api.method_not_allowed"))
            case .contentTooLarge: return Self.body(TillFailure(413, "api.body_too_large"))
            default: return Self.body(TillFailure(Int(e.status.code), "api.internal"))
            }
        } catch {
            logger.error("API request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            return Self.body(TillFailure(500, "api.internal"))
        }
    }

    static func body(_ f: TillFailure) -> Response {
        let data = (try? WireCoding.encode(APIErrorBody(code: f.code, message: f.message, field: f.field))) ?? []
        return Response(status: HTTPResponse.Status(code: f.status), headers: [.contentType: "application/json; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
