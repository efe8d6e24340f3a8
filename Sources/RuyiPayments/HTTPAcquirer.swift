import Foundation
import Glibc
import RuyiCore
import RuyiSystem

/// A `PaymentProvider` over plain HTTP + JSON: the shape of Alipay's and WeChat Pay's face-to-face APIs without their
/// signing and TLS, spoken by the test acquirer (RuyiTestKit) and usable with an acquirer gateway on the shop's LAN.
///
/// `POST /v1/micropay {merchant, order, auth_code, amount_fen, subject}` → `{result: SUCCESS|USERPAYING|FAIL, transaction?, code?, message?}`
/// `POST /v1/query {merchant, order}` → `{state: SUCCESS|USERPAYING|NOTPAY|CLOSED|REVOKED|PAYERROR, transaction?, message?}`
/// `POST /v1/reverse {merchant, order}` → `{result: SUCCESS|RETRY|FAIL, code?, message?}`
/// `POST /v1/refund {merchant, order, refund, amount_fen}` → `{result: SUCCESS|FAIL, transaction?, code?, message?}`
/// `GET /v1/health` → 200.
///
/// Anything but a well-formed 200 answer in time is `PaymentOutcomeUnknown`. The requests block (one connection each,
/// bounded by `timeoutSeconds`), so they run on a thread of this actor's own, never on the shared pool.
public actor HTTPAcquirer: PaymentProvider {
    public nonisolated let name: String
    public nonisolated let unownedExecutor: UnownedSerialExecutor
    private let executor: DedicatedThreadExecutor
    private let host: String
    private let port: UInt16
    private let merchant: String
    private let timeoutSeconds: Double

    public struct BadURL: Error, CustomStringConvertible {
        public let description: String
    }

    /// `url`: `http://HOST:PORT` with an IPv4 address (or `localhost`).
    public init(name: String, url: String, merchant: String, timeoutSeconds: Double) throws(BadURL) {
        (host, port) = try Self.check(url: url)
        self.name = name
        self.merchant = merchant
        self.timeoutSeconds = timeoutSeconds
        executor = DedicatedThreadExecutor(name: "ruyi-pay-\(name)")
        unownedExecutor = executor.asUnownedSerialExecutor()
    }

    /// The host and port of `url`, or why it is not one this adapter can use.
    public static func check(url: String) throws(BadURL) -> (host: String, port: UInt16) {
        guard url.hasPrefix("http://") else { throw BadURL(description: "\(url.debugDescription): only http://ADDRESS:PORT (an acquirer gateway on this machine or the LAN)") }
        let rest = url.dropFirst(7).split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
        let parts = rest.split(separator: ":")
        guard parts.count == 2, let port = UInt16(parts[1]), port > 0, TCPSocket.address(String(parts[0]), port) != nil else {
            throw BadURL(description: "\(url.debugDescription): expected http://ADDRESS:PORT with an IPv4 address, e.g. http://127.0.0.1:8400")
        }
        return (String(parts[0]), port)
    }

    public func close() { executor.shutdown() }

    public func pay(order: String, authCode: String, amount: Money, subject: String) throws(PaymentOutcomeUnknown) -> PayAnswer {
        let a = try post("/v1/micropay", ["merchant": merchant, "order": order, "auth_code": authCode, "amount_fen": amount.minorUnits, "subject": subject])
        switch a["result"] as? String {
        case "SUCCESS":
            guard let t = a["transaction"] as? String, !t.isEmpty else { throw PaymentOutcomeUnknown("micropay: SUCCESS without a transaction") }
            return .paid(transaction: t)
        case "USERPAYING": return .userPaying
        case "FAIL": return .declined(code: a["code"] as? String ?? "FAIL", message: a["message"] as? String ?? "")
        default: throw PaymentOutcomeUnknown("micropay: no result in the answer")
        }
    }

    public func query(order: String) throws(PaymentOutcomeUnknown) -> OrderState {
        let a = try post("/v1/query", ["merchant": merchant, "order": order])
        switch a["state"] as? String {
        case "SUCCESS":
            guard let t = a["transaction"] as? String, !t.isEmpty else { throw PaymentOutcomeUnknown("query: SUCCESS without a transaction") }
            return .paid(transaction: t)
        case "USERPAYING": return .userPaying
        case "NOTPAY": return .notPaid
        case "REVOKED": return .reversed
        case "CLOSED", "PAYERROR": return .closed(reason: a["message"] as? String ?? (a["state"] as? String ?? ""))
        default: throw PaymentOutcomeUnknown("query: no state in the answer")
        }
    }

    public func reverse(order: String) throws(PaymentOutcomeUnknown) -> ReverseAnswer {
        let a = try post("/v1/reverse", ["merchant": merchant, "order": order])
        switch a["result"] as? String {
        case "SUCCESS": return .reversed
        case "RETRY": return .retry
        case "FAIL": return .refused(code: a["code"] as? String ?? "FAIL", message: a["message"] as? String ?? "")
        default: throw PaymentOutcomeUnknown("reverse: no result in the answer")
        }
    }

    public func refund(order: String, refund: String, amount: Money) throws(PaymentOutcomeUnknown) -> RefundAnswer {
        let a = try post("/v1/refund", ["merchant": merchant, "order": order, "refund": refund, "amount_fen": amount.minorUnits])
        switch a["result"] as? String {
        case "SUCCESS": return .refunded(transaction: a["transaction"] as? String ?? "")
        case "FAIL": return .refused(code: a["code"] as? String ?? "FAIL", message: a["message"] as? String ?? "")
        default: throw PaymentOutcomeUnknown("refund: no result in the answer")
        }
    }

    public func reachable() -> Bool {
        // A refused connection (the usual offline) fails at once; the timeout only bounds a gateway that went silent.
        (try? exchange("GET", "/v1/health", body: nil, timeout: min(timeoutSeconds, 3)))?.status == 200
    }

    private func post(_ path: String, _ fields: [String: Any]) throws(PaymentOutcomeUnknown) -> [String: Any] {
        let body: Data
        do { body = try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]) } catch {
            throw PaymentOutcomeUnknown("\(path): the request could not be written (\(error))")
        }
        let reply = try exchange("POST", path, body: body, timeout: timeoutSeconds)
        guard reply.status == 200 else { throw PaymentOutcomeUnknown("\(path): HTTP \(reply.status)") }
        guard let object = try? JSONSerialization.jsonObject(with: reply.body) as? [String: Any] else {
            throw PaymentOutcomeUnknown("\(path): the answer is not a JSON object")
        }
        return object
    }

    /// One request on its own connection (`Connection: close`); the answer is read to the end of the stream.
    private func exchange(_ method: String, _ path: String, body: Data?, timeout: Double) throws(PaymentOutcomeUnknown) -> (status: Int, body: Data) {
        let fd: Int32
        do { fd = try TCPSocket.connect(host: host, port: port, timeoutSeconds: timeout) } catch {
            throw PaymentOutcomeUnknown("\(name) acquirer not reachable (\(error))", sent: false)
        }
        defer { Glibc.close(fd) }
        var request = Array("\(method) \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: \(body?.count ?? 0)\r\n\r\n".utf8)
        if let body { request += body }
        var sent = 0
        while sent < request.count {
            let n = request[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            // Cut short before it was whole: no acquirer acts on half a request.
            guard n > 0 else { throw PaymentOutcomeUnknown("\(path): the request could not be sent (\(String(cString: strerror(errno))))", sent: false) }
            sent += n
        }
        let deadline = Date().addingTimeInterval(timeout)
        var answer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { break }
            guard n > 0, Date() < deadline else { throw PaymentOutcomeUnknown("\(path): no answer within \(timeout) s") }
            answer += chunk[0..<n]
            guard answer.count < 1 << 20 else { throw PaymentOutcomeUnknown("\(path): the answer is too long") }
        }
        guard let end = answer.firstRange(of: Array("\r\n\r\n".utf8)) else { throw PaymentOutcomeUnknown("\(path): the connection closed without an answer") }
        let head = String(decoding: answer[..<end.lowerBound], as: UTF8.self)
        let statusLine = head.split(separator: "\r\n").first ?? ""
        let fields = statusLine.split(separator: " ")
        guard fields.count >= 2, let status = Int(fields[1]) else { throw PaymentOutcomeUnknown("\(path): not an HTTP answer") }
        return (status, Data(answer[end.upperBound...]))
    }
}
