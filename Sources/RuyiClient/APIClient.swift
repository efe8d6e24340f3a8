import Foundation
import Glibc
import RuyiAPI
import RuyiSystem

/// HTTP/1.1 over ruyid's Unix socket: one request per connection, bounded by a timeout. Blocking, for the command line.
public struct APIClient: Sendable {
    public let socketPath: String
    public init(socketPath: String, timeoutSeconds: Int = 10) { self.socketPath = socketPath; self.timeoutSeconds = timeoutSeconds }
    var timeoutSeconds = 10

    /// `--socket`, then `$RUYI_SOCKET`, then the default `/run/ruyi/ruyid.sock`.
    public static func socketPath(flag: String?) -> String {
        if let flag, !flag.isEmpty { return flag }
        if let env = ProcessInfo.processInfo.environment["RUYI_SOCKET"], !env.isEmpty { return env }
        return "/run/ruyi/ruyid.sock"
    }

    public struct Reply: Sendable {
        public var status: Int
        public var body: Data
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public func send(_ method: String, _ path: String, body: Data? = nil) throws -> Reply {
        let fd: Int32
        do { fd = try UnixSocket.connect(socketPath, timeoutSeconds: timeoutSeconds) } catch {
            throw Failure(description: "ruyid is not answering on \(socketPath) (\(error)): is it running? (--socket or RUYI_SOCKET)")
        }
        defer { close(fd) }
        let out = Self.request(method, path, body: body, keepAlive: false)
        var offset = 0
        while offset < out.count {
            // ruyid may answer before taking the whole body (too large): stop sending as soon as its answer is there.
            var p = pollfd(fd: fd, events: Int16(POLLIN | POLLOUT), revents: 0)
            guard poll(&p, 1, Int32(timeoutSeconds * 1000)) > 0 else { throw Failure(description: "ruyid did not take the request within \(timeoutSeconds) s") }
            if p.revents & Int16(POLLIN) != 0 { break }
            let n = out.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, min($0.count - offset, 65536), Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { continue }
            if n <= 0 { break }
            offset += n
        }
        var response = Data()
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            // Done as soon as the whole body is in (Content-Length); otherwise (chunked, close-delimited) at EOF.
            if let expected = Self.expectedLength(response), response.count >= expected { break }
            let n = recv(fd, &chunk, chunk.count, 0)
            if n == 0 || (n < 0 && errno == ECONNRESET && !response.isEmpty) { break }
            guard n > 0 else {
                throw Failure(description: offset < out.count ? "ruyid closed the connection before taking the whole request"
                                                                : "no answer from ruyid within \(timeoutSeconds) s")
            }
            response.append(contentsOf: chunk[0..<n])
        }
        return try Self.parse(response)
    }

    /// The bytes of one HTTP/1.1 request (JSON body, or CSV for imports: ruyid reads the body as the route expects).
    static func request(_ method: String, _ path: String, body: Data?, keepAlive: Bool) -> Data {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: localhost\r\n" + (keepAlive ? "" : "Connection: close\r\n") + "User-Agent: ruyi\r\n"
        if let body { head += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n" }
        var out = Data((head + "\r\n").utf8)
        if let body { out.append(body) }
        return out
    }

    /// Header length + Content-Length, once the headers are in and carry a Content-Length.
    static func expectedLength(_ response: Data) -> Int? {
        guard let range = response.range(of: Data([13, 10, 13, 10])) else { return nil }
        let head = String(decoding: response[..<range.lowerBound], as: UTF8.self).lowercased()
        guard let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
              let n = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) else { return nil }
        return range.upperBound - response.startIndex + n
    }

    /// Where the headers end (the index of their blank line's CR LF CR LF), once they are all in.
    static func headerEnd(_ bytes: [UInt8]) -> Int? {
        bytes.indices.dropLast(3).first { bytes[$0] == 13 && bytes[$0 + 1] == 10 && bytes[$0 + 2] == 13 && bytes[$0 + 3] == 10 }
    }

    /// Takes every whole chunk off the front of a chunked body; `ended` once the last (zero-size) chunk came.
    /// Incomplete chunks stay in `raw` for the next bytes.
    static func dechunk(_ raw: inout [UInt8]) -> (data: [UInt8], ended: Bool) {
        var data: [UInt8] = []
        while let lineEnd = raw.indices.dropLast().first(where: { raw[$0] == 13 && raw[$0 + 1] == 10 }),
              let size = Int(String(decoding: raw[..<lineEnd], as: UTF8.self).split(separator: ";").first ?? "", radix: 16) {
            if size == 0 { return (data, true) }
            guard raw.count >= lineEnd + 2 + size + 2 else { break }
            data += raw[(lineEnd + 2)..<(lineEnd + 2 + size)]
            raw.removeFirst(lineEnd + 2 + size + 2)
        }
        return (data, false)
    }

    static func parse(_ response: Data) throws -> Reply {
        let bytes = [UInt8](response)
        guard let headerEnd = headerEnd(bytes) else { throw Failure(description: "ruyid's answer is not HTTP") }
        let head = String(decoding: bytes[..<headerEnd], as: UTF8.self).split(separator: "\r\n")
        let statusParts = head.first?.split(separator: " ") ?? []
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw Failure(description: "ruyid's answer has no status") }
        let chunked = head.contains { $0.lowercased().hasPrefix("transfer-encoding:") && $0.lowercased().contains("chunked") }
        var body = Array(bytes[(headerEnd + 4)...])
        if chunked { body = dechunk(&body).data }
        return Reply(status: status, body: Data(body))
    }
}

/// One kept-alive HTTP/1.1 connection to ruyid, for a client that sends many requests (the till screen, the benchmark):
/// no connection set-up per request. Not thread-safe: one user at a time.
public final class APIConnection {
    private let fd: Int32
    private var buffer = Data()
    public let socketPath: String

    public init(socketPath: String, timeoutSeconds: Int = 10) throws {
        self.socketPath = socketPath
        do { fd = try UnixSocket.connect(socketPath, timeoutSeconds: timeoutSeconds) } catch {
            throw APIClient.Failure(description: "ruyid is not answering on \(socketPath) (\(error))")
        }
    }

    deinit { close(fd) }

    /// Sends a request on the open connection and reads exactly its answer (Content-Length framed).
    public func send(_ method: String, _ path: String, body: Data? = nil) throws -> APIClient.Reply {
        let out = APIClient.request(method, path, body: body, keepAlive: true)
        var offset = 0
        while offset < out.count {
            let n = out.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw APIClient.Failure(description: "the connection to ruyid broke while sending") }
            offset += n
        }
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            if let expected = APIClient.expectedLength(buffer), buffer.count >= expected {
                let reply = try APIClient.parse(buffer.prefix(expected))
                buffer.removeFirst(expected)
                return reply
            }
            let n = recv(fd, &chunk, chunk.count, 0)
            guard n > 0 else { throw APIClient.Failure(description: "the connection to ruyid closed before the whole answer") }
            buffer.append(contentsOf: chunk[0..<n])
        }
    }
}

/// One Server-Sent Event as ruyid sends it on `GET /v1/events`.
public struct ServerSentEvent: Sendable, Hashable {
    public var id: String?
    public var name: String
    public var data: String
}

extension APIClient {
    /// Follows an event stream: calls `handle` for each event until it returns false, the stream ends (ruyid stopped),
    /// or `seconds` pass (nil: no end). The body is chunked; chunks and SSE lines are both reassembled as they come.
    public func follow(_ path: String, seconds: Double? = nil, handle: (ServerSentEvent) -> Bool) throws {
        let fd: Int32
        do { fd = try UnixSocket.connect(socketPath, timeoutSeconds: timeoutSeconds) } catch {
            throw Failure(description: "ruyid is not answering on \(socketPath) (\(error)): is it running? (--socket or RUYI_SOCKET)")
        }
        defer { close(fd) }
        let out = Self.request("GET", path, body: nil, keepAlive: false)
        let sent = out.withUnsafeBytes { Glibc.send(fd, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == out.count else { throw Failure(description: "the connection to ruyid broke while sending") }
        let deadline = seconds.map { Date().addingTimeInterval($0) }
        var raw: [UInt8] = []     // bytes not yet decoded
        var headersDone = false
        var chunked = false
        var text: [UInt8] = []    // decoded body bytes not yet split into events
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let wait = deadline.map { Int32(max(0, $0.timeIntervalSinceNow) * 1000) } ?? -1
            if let deadline, deadline <= Date() { return }
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&p, 1, wait)
            if ready == 0 { return }
            if ready < 0 { if errno == EINTR { continue }; throw Failure(description: "waiting for ruyid failed (errno \(errno))") }
            let n = recv(fd, &chunk, chunk.count, 0)
            if n < 0 && (errno == EAGAIN || errno == EINTR) { continue }
            if n <= 0 { return } // ruyid closed the stream (it is stopping)
            raw += chunk[0..<n]
            if !headersDone {
                guard let end = Self.headerEnd(raw) else { continue }
                let head = String(decoding: raw[..<end], as: UTF8.self).lowercased()
                let status = head.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
                guard status == 200 else { throw Failure(description: "ruyid refused the event stream (HTTP \(status))") }
                chunked = head.contains("transfer-encoding: chunked")
                raw.removeFirst(end + 4)
                headersDone = true
            }
            var ended = false
            if chunked {
                let (data, last) = Self.dechunk(&raw)
                text += data
                ended = last
            } else {
                text += raw
                raw.removeAll()
            }
            // Events end with a blank line.
            while let end = text.indices.dropLast().first(where: { text[$0] == 10 && text[$0 + 1] == 10 }) {
                let block = String(decoding: text[..<end], as: UTF8.self)
                text.removeFirst(end + 2)
                var event = ServerSentEvent(id: nil, name: "message", data: "")
                var any = false
                for line in block.split(separator: "\n") where !line.hasPrefix(":") {
                    let (field, value) = line.firstIndex(of: ":").map { (line[..<$0], line[line.index(after: $0)...].drop { $0 == " " }) } ?? (line[...], ""[...])
                    switch field {
                    case "id": event.id = String(value)
                    case "event": event.name = String(value)
                    case "data": event.data += (event.data.isEmpty ? "" : "\n") + value
                    default: continue
                    }
                    any = true
                }
                if any && !handle(event) { return }
            }
            if ended { return } // the stream's last chunk: ruyid is stopping
        }
    }
}
