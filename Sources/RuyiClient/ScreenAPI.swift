import Foundation
import RuyiAPI

/// The screens' way to the daemon: every answer or refusal as a value, never an exit — a screen shows what went
/// wrong where the eye is and carries on.
struct ScreenAPI {
    struct Refusal: Error {
        let code: String
        let message: String
        /// The daemon did not answer at all (stopped, restarting).
        var unreachable: Bool { code == "unreachable" }
    }

    let client: APIClient

    init(socket: String) { client = APIClient(socketPath: socket, timeoutSeconds: 5) }

    func call<T: Decodable>(_ method: String, _ path: String, _ body: (some Encodable)? = Optional<String>.none, as: T.Type = T.self) -> Result<T, Refusal> {
        exchange(method, path, body).flatMap { data in
            do { return .success(try WireCoding.decoder().decode(T.self, from: data)) } catch {
                return .failure(Refusal(code: "api.bad_answer", message: "收银程序的回答看不懂（\(error)）"))
            }
        }
    }

    /// For answers whose body does not matter (204s among them).
    func send(_ method: String, _ path: String, _ body: (some Encodable)? = Optional<String>.none) -> Refusal? {
        if case let .failure(e) = exchange(method, path, body) { return e }
        return nil
    }

    private func exchange(_ method: String, _ path: String, _ body: (some Encodable)?) -> Result<Data, Refusal> {
        let reply: APIClient.Reply
        do { reply = try client.send(method, path, body: try body.map { try WireCoding.encodeData($0) }) } catch {
            return .failure(Refusal(code: "unreachable", message: "连不上收银程序（ruyid），正在重连… 购物车不会丢"))
        }
        guard (200..<300).contains(reply.status) else {
            let e = try? WireCoding.decoder().decode(APIErrorBody.self, from: reply.body)
            return .failure(Refusal(code: e?.error.code ?? "http.\(reply.status)", message: e?.error.message ?? "出错了（HTTP \(reply.status)）"))
        }
        return .success(reply.body)
    }
}
