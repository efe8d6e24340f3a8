import Foundation
import Testing
@testable import RuyiLedger
import RuyiTestKit

@Suite("Payment attempts are found by index")
struct PaymentAttemptIndexTests {
    @Test("a return's lookups by sale and by paying attempt use an index, also in a ledger from before the indexes")
    func returnLookupsUseAnIndex() throws {
        let dir = try TemporaryDirectory()
        let db = dir.file("l.sqlite")
        func plans() throws -> [String] { try queryPlans(db, PaymentAttemptSQL.all) }
        func expectIndexed(_ plans: [String]) {
            #expect(plans.count == 3)
            for plan in plans {
                #expect(!plan.contains("SCAN payment_attempt"), "a full scan: \(plan)")
            }
            #expect(plans[0].contains("USING INDEX payment_attempt_sale"), "\(plans[0])")
            #expect(plans[1].contains("USING INDEX payment_attempt_refunds"), "\(plans[1])")
            #expect(plans[2].contains("USING INDEX payment_attempt_refunds"), "\(plans[2])")
        }
        do {
            _ = try StoreFixture.open(db)
            expectIndexed(try plans())
        }
        // Given the file as v10 left it, each lookup reads every attempt
        _ = try sqlite(db, """
            DROP INDEX payment_attempt_sale; DROP INDEX payment_attempt_refunds;
            DELETE FROM grdb_migrations WHERE identifier = 'v11-payment-attempt-lookups'
            """)
        #expect(try plans().allSatisfy { $0.contains("SCAN payment_attempt") })
        // When it is opened, the migration adds the indexes
        _ = try StoreFixture.open(db)
        expectIndexed(try plans())
    }
}
