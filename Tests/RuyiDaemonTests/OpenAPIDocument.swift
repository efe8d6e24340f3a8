import Foundation
@testable import RuyiDaemon

/// `docs/api/openapi.json`, and a small validator for the subset of JSON Schema it uses (type, nullable, required,
/// properties, additionalProperties, items, $ref) — enough to check every response the API tests get.
final class OpenAPIDocument: @unchecked Sendable {
    static let shared = OpenAPIDocument()
    let doc: [String: Any]

    init() {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/api/openapi.json")
        doc = (try? JSONSerialization.jsonObject(with: Data(contentsOf: url))) as? [String: Any] ?? [:]
    }

    var paths: [String: [String: Any]] { doc["paths"] as? [String: [String: Any]] ?? [:] }

    /// Every operation as `METHOD /path`.
    var routes: Set<String> {
        var out = Set<String>()
        for (path, ops) in paths { for m in ops.keys where m != "parameters" { out.insert(m.uppercased() + " " + path) } }
        return out
    }

    /// The document's path template that `path` (a concrete request path) matches.
    func template(for method: String, _ path: String) -> String? {
        let parts = path.split(separator: "?").first.map { $0.split(separator: "/") } ?? []
        return paths.keys.first { t in
            let tp = t.split(separator: "/")
            return tp.count == parts.count && zip(tp, parts).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
                && paths[t]?[method.lowercased()] != nil
        }
    }

    /// Problems of `body` against the schema the document gives for this operation and status; [] when it conforms.
    func validate(method: String, path: String, status: Int, body: Data) -> [String] {
        guard let t = template(for: method, path), let op = paths[t]?[method.lowercased()] as? [String: Any] else {
            return ["\(method) \(path) is not in docs/api/openapi.json"]
        }
        guard let responses = op["responses"] as? [String: Any], let r = responses[String(status)] as? [String: Any] else {
            return ["\(method) \(t) answered \(status), which the document does not list"]
        }
        guard let content = r["content"] as? [String: Any] else { return body.isEmpty ? [] : ["\(status) should have no body"] }
        guard let json = content["application/json"] as? [String: Any], let schema = json["schema"] as? [String: Any] else { return [] }
        guard let value = try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]) else { return ["the body is not JSON"] }
        return check(value, schema, "$")
    }

    private func resolve(_ schema: [String: Any]) -> [String: Any] {
        guard let ref = schema["$ref"] as? String, let name = ref.split(separator: "/").last,
              let s = ((doc["components"] as? [String: Any])?["schemas"] as? [String: Any])?[String(name)] as? [String: Any] else { return schema }
        return s
    }

    private func check(_ value: Any, _ raw: [String: Any], _ at: String) -> [String] {
        let schema = resolve(raw)
        if value is NSNull { return (schema["nullable"] as? Bool == true || raw["nullable"] as? Bool == true) ? [] : ["\(at) is null"] }
        switch schema["type"] as? String {
        case "object":
            guard let o = value as? [String: Any] else { return ["\(at) is not an object"] }
            var problems: [String] = []
            let props = schema["properties"] as? [String: [String: Any]] ?? [:]
            for k in schema["required"] as? [String] ?? [] where o[k] == nil { problems.append("\(at).\(k) is missing") }
            for (k, v) in o {
                if let p = props[k] { problems += check(v, p, "\(at).\(k)") }
                else if let extra = schema["additionalProperties"] as? [String: Any] { problems += check(v, extra, "\(at).\(k)") }
                else if schema["additionalProperties"] as? Bool == false { problems.append("\(at).\(k) is not in the schema") }
            }
            return problems
        case "array":
            guard let a = value as? [Any] else { return ["\(at) is not an array"] }
            let items = schema["items"] as? [String: Any] ?? [:]
            return a.enumerated().flatMap { check($0.element, items, "\(at)[\($0.offset)]") }
        case "string": return value is String ? [] : ["\(at) is not a string"]
        case "integer":
            guard let n = value as? NSNumber, String(cString: n.objCType) != "c", String(cString: n.objCType) != "d" else { return ["\(at) is not an integer"] }
            return []
        case "boolean":
            guard let n = value as? NSNumber, String(cString: n.objCType) == "c" else { return ["\(at) is not a boolean"] }
            return []
        default: return []
        }
    }
}
