import Foundation
import Testing
@testable import RuyiDaemon

@Suite struct OpenAPITests {
    @Test func theRouterAndTheDocumentListTheSameRoutes() {
        let doc = OpenAPIDocument.shared.routes
        let router = Set(APIRoutes.table)
        #expect(router.subtracting(doc).isEmpty, "routes missing from docs/api/openapi.json: \(router.subtracting(doc).sorted())")
        #expect(doc.subtracting(router).isEmpty, "documented routes the router lacks: \(doc.subtracting(router).sorted())")
        #expect(router.count == APIRoutes.table.count, "a route is listed twice")
    }

    @Test func theValidatorCatchesWhatItShould() {
        let v = OpenAPIDocument.shared
        #expect(v.validate(method: "GET", path: "/v1/till", status: 200,
                           body: Data(#"{"kind":"sale","state":"open","lines":[],"total":"0.00","due":"0.00","paid":"0.00","discount":"0.00"}"#.utf8)).isEmpty)
        #expect(!v.validate(method: "GET", path: "/v1/till", status: 200, body: Data(#"{"state":"open","lines":[],"total":0}"#.utf8)).isEmpty)
        #expect(!v.validate(method: "GET", path: "/v1/till", status: 200,
                            body: Data(#"{"kind":"sale","state":"open","lines":[],"total":"0.00","due":"0.00","paid":"0.00","extra":1}"#.utf8)).isEmpty)
        #expect(!v.validate(method: "GET", path: "/v1/till", status: 418, body: Data()).isEmpty)
        #expect(v.template(for: "POST", "/v1/till/lines/12/quantity") == "/v1/till/lines/{line}/quantity")
    }
}
