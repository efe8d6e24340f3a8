import Foundation
import Glibc
import RuyiSystem

/// An acquirer for tests: a small HTTP server on 127.0.0.1 speaking `HTTPAcquirer`'s API, behaving like Alipay's and
/// WeChat Pay's face-to-face payment — including the awkward parts: answers that come late or never (the charge
/// happens all the same), "user paying" for a while before it settles, declines, duplicate requests for one order,
/// and an order number refused after it was reversed. Each auth code gets the behaviour a test scripts for it.
public final class TestAcquirer: @unchecked Sendable {
    public indirect enum Behaviour: Sendable {
        /// Paid at once.
        case pay
        /// "User paying" until `seconds` have passed (or `settle` is called); then paid or failed.
        case userPaying(seconds: Double, thenPaid: Bool)
        case decline(code: String)
        /// What `then` does happens at once; the answer comes `seconds` later.
        case slow(seconds: Double, then: Behaviour)
        /// What `then` does happens; the answer never comes (the connection is closed).
        case lose(then: Behaviour)
    }

    public enum State: String, Sendable {
        case paying, paid, failed, reversed, refunded
    }

    public struct Order: Sendable {
        public var authCode: String
        public var amountFen: Int64
        public var state: State
        public var transaction: String?
        public var payRequests: Int
        /// Refunds by refund number, as a provider keeps them: several may each return part of the payment, never more
        /// than was paid in all; one asked again with its number is answered the same.
        public var refunds: [String: Refund] = [:]
        var settlesAt: Date?
        var settlesPaid: Bool

        /// What has gone back to the customer so far.
        public var refundedFen: Int64 { refunds.values.reduce(0) { $0 + $1.amountFen } }
    }

    public struct Refund: Sendable, Hashable {
        public var amountFen: Int64
        public var transaction: String
    }

    public let port: UInt16
    public var url: String { "http://127.0.0.1:\(port)" }
    private var listener: Int32
    private let lock = NSLock()
    private var behaviours: [String: Behaviour] = [:]
    private var orders: [String: Order] = [:]
    private var log: [(path: String, order: String)] = []
    private var isDown = false
    private var stopped = false
    private var nextTransaction = 1

    public init() throws {
        let l = try TCPSocket.listen()
        listener = l.fd
        port = l.port
        startAccepting(l.fd)
    }

    deinit { stop() }

    private func startAccepting(_ fd: Int32) {
        let thread = Thread { [self] in acceptLoop(fd) }
        thread.name = "test-acquirer"
        thread.start()
    }

    public func stop() {
        lock.lock()
        let wasStopped = stopped
        stopped = true
        let fd = listener
        lock.unlock()
        if !wasStopped && fd >= 0 { shutdown(fd, Int32(SHUT_RDWR)); close(fd) }
    }

    // MARK: scripting and looking

    public func script(_ authCode: String, _ behaviour: Behaviour) { locked { behaviours[authCode] = behaviour } }

    /// Offline: connections are refused (the port is closed), health checks too. Back up on the same port.
    public func setDown(_ down: Bool) {
        lock.lock()
        defer { lock.unlock() }
        guard down != isDown, !stopped else { return }
        isDown = down
        if down {
            shutdown(listener, Int32(SHUT_RDWR))
            close(listener)
            listener = -1
        } else if let l = try? TCPSocket.listen(port: port) {
            listener = l.fd
            startAccepting(l.fd)
        }
    }

    /// The customer confirms (or not) on the phone now, whatever the script said.
    public func settle(order: String, paid: Bool) {
        locked {
            guard var o = orders[order], o.state == .paying else { return }
            o.settlesAt = .distantPast
            o.settlesPaid = paid
            orders[order] = o
        }
    }

    public func order(_ id: String) -> Order? { locked { settled(id) } }

    /// Orders for `authCode`, by order number.
    public func orders(authCode: String) -> [String: Order] { locked { orders.filter { $0.value.authCode == authCode } } }

    /// The customer's money is with the merchant for this order: paid, neither reversed nor wholly refunded.
    public func charged(_ id: String) -> Bool { order(id)?.state == .paid }

    public func requests(_ path: String) -> [String] { locked { log.filter { $0.path == path }.map(\.order) } }

    private func locked<T>(_ body: () -> T) -> T { lock.lock(); defer { lock.unlock() }; return body() }

    /// The order after its time to settle (under the lock).
    private func settled(_ id: String) -> Order? {
        guard var o = orders[id] else { return nil }
        if o.state == .paying, let at = o.settlesAt, Date() >= at {
            o.state = o.settlesPaid ? .paid : .failed
            if o.settlesPaid { o.transaction = newTransaction() }
            orders[id] = o
        }
        return o
    }

    private func newTransaction() -> String {
        defer { nextTransaction += 1 }
        return String(format: "T%010d", nextTransaction)
    }

    // MARK: the server

    private func acceptLoop(_ listener: Int32) {
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 {
                if errno == EINTR { continue }
                return
            }
            let thread = Thread { [self] in serve(fd) }
            thread.start()
        }
    }

    private func serve(_ fd: Int32) {
        defer { close(fd) }
        var tv = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        guard let (method, path, body) = readRequest(fd) else { return }
        let fields = (try? JSONSerialization.jsonObject(with: body) as? [String: Any]) ?? [:]
        let order = fields["order"] as? String ?? ""
        locked { log.append((path, order)) }
        var delay = 0.0
        var answer: [String: Any]?
        switch (method, path) {
        case ("GET", "/v1/health"): answer = ["ok": true]
        case ("POST", "/v1/micropay"): (answer, delay) = micropay(order, fields)
        case ("POST", "/v1/query"): answer = query(order)
        case ("POST", "/v1/reverse"): answer = reverse(order)
        case ("POST", "/v1/refund"): answer = refund(order, fields)
        default: respond(fd, status: 404, ["result": "FAIL", "code": "NOT_FOUND"]); return
        }
        if delay > 0 { Thread.sleep(forTimeInterval: delay) }
        guard let answer else { return }  // lost: the effect happened, no answer
        respond(fd, status: 200, answer)
    }

    /// The answer (nil: lost) and how long to wait before giving it.
    private func micropay(_ id: String, _ f: [String: Any]) -> ([String: Any]?, Double) {
        let code = f["auth_code"] as? String ?? ""
        let amount = (f["amount_fen"] as? NSNumber)?.int64Value ?? 0
        return locked {
            if var existing = settled(id) {
                // A duplicate request for an order: the order as it stands (reversed ones are refused for good).
                existing.payRequests += 1
                orders[id] = existing
                return (answer(for: existing), 0)
            }
            var behaviour = behaviours[code] ?? .pay
            var delay = 0.0
            var lost = false
            while true {
                if case let .slow(s, then) = behaviour { delay += s; behaviour = then; continue }
                if case let .lose(then) = behaviour { lost = true; behaviour = then; continue }
                break
            }
            var o = Order(authCode: code, amountFen: amount, state: .paying, transaction: nil, payRequests: 1, settlesAt: nil, settlesPaid: true)
            switch behaviour {
            case .pay: o.state = .paid; o.transaction = newTransaction()
            case let .userPaying(seconds, paid): o.settlesAt = Date().addingTimeInterval(seconds); o.settlesPaid = paid
            case let .decline(reason): o.state = .failed; orders[id] = o; return (lost ? nil : ["result": "FAIL", "code": reason, "message": "declined"], delay)
            case .slow, .lose: break
            }
            orders[id] = o
            return (lost ? nil : answer(for: o), delay)
        }
    }

    private func answer(for o: Order) -> [String: Any] {
        switch o.state {
        case .paid: ["result": "SUCCESS", "transaction": o.transaction ?? ""]
        case .paying: ["result": "USERPAYING"]
        case .failed: ["result": "FAIL", "code": "PAYERROR", "message": "declined"]
        case .reversed, .refunded: ["result": "FAIL", "code": "ORDERREVERSED", "message": "this order number was reversed"]
        }
    }

    private func query(_ id: String) -> [String: Any] {
        locked {
            guard let o = settled(id) else { return ["state": "NOTPAY", "message": "ORDERNOTEXIST"] }
            switch o.state {
            case .paid: return ["state": "SUCCESS", "transaction": o.transaction ?? ""]
            case .paying: return ["state": "USERPAYING"]
            case .failed: return ["state": "PAYERROR", "message": "declined"]
            case .reversed, .refunded: return ["state": "REVOKED"]
            }
        }
    }

    private func reverse(_ id: String) -> [String: Any] {
        locked {
            if var o = settled(id) {
                o.state = .reversed  // paid: the money goes back; paying or failed: closed for good
                orders[id] = o
            } else {
                // Never seen (the pay request was lost on the way): the number is spent all the same.
                orders[id] = Order(authCode: "", amountFen: 0, state: .reversed, transaction: nil, payRequests: 0, settlesAt: nil, settlesPaid: false)
            }
            return ["result": "SUCCESS"]
        }
    }

    private func refund(_ id: String, _ f: [String: Any]) -> [String: Any] {
        locked {
            let refundID = f["refund"] as? String ?? ""
            let amount = (f["amount_fen"] as? NSNumber)?.int64Value ?? 0
            guard var o = settled(id), o.state == .paid || o.state == .refunded else {
                return ["result": "FAIL", "code": "TRADE_STATE_ERROR", "message": "not paid"]
            }
            if let done = o.refunds[refundID] {
                // The same refund asked again: answered the same, or refused when it names another amount.
                guard done.amountFen == amount else {
                    return ["result": "FAIL", "code": "REFUND_NO_REUSED", "message": "this refund number was used for another amount"]
                }
                return ["result": "SUCCESS", "transaction": done.transaction]
            }
            guard !refundID.isEmpty, amount > 0 else { return ["result": "FAIL", "code": "INVALID_REQUEST", "message": "no refund number or amount"] }
            guard o.refundedFen + amount <= o.amountFen else {
                return ["result": "FAIL", "code": "REFUND_AMOUNT_EXCEEDED", "message": "the refunds would be more than was paid"]
            }
            let done = Refund(amountFen: amount, transaction: "R\(o.refunds.count + 1)-" + (o.transaction ?? ""))
            o.refunds[refundID] = done
            if o.refundedFen == o.amountFen { o.state = .refunded }
            orders[id] = o
            return ["result": "SUCCESS", "transaction": done.transaction]
        }
    }

    private func readRequest(_ fd: Int32) -> (String, String, Data)? {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            if let end = bytes.firstRange(of: Array("\r\n\r\n".utf8)) {
                let head = String(decoding: bytes[..<end.lowerBound], as: UTF8.self)
                let lines = head.split(separator: "\r\n")
                let first = lines.first?.split(separator: " ") ?? []
                guard first.count >= 2 else { return nil }
                let length = lines.dropFirst().compactMap { l -> Int? in
                    let kv = l.split(separator: ":", maxSplits: 1)
                    return kv.count == 2 && kv[0].lowercased() == "content-length" ? Int(kv[1].trimmingCharacters(in: .whitespaces)) : nil
                }.first ?? 0
                while bytes.count - end.upperBound < length {
                    let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                    guard n > 0 else { return nil }
                    bytes += chunk[0..<n]
                }
                return (String(first[0]), String(first[1]), Data(bytes[end.upperBound..<(end.upperBound + length)]))
            }
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0, bytes.count < 1 << 16 else { return nil }
            bytes += chunk[0..<n]
        }
    }

    private func respond(_ fd: Int32, status: Int, _ object: [String: Any]) {
        let body = (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
        var out = Array("HTTP/1.1 \(status) OK\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n".utf8)
        out += body
        _ = out.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }
}
