import Foundation
import Testing
@testable import RuyiLedger
import RuyiTestKit

/// The print worker asks the queue three things at every step (every 250 ms when idle, all day): the next job, how many
/// are open, how many need the owner's attention. Each must cost the same on the first day and after a year of receipts.
@Suite("The print queue is read by index")
struct PrintQueueIndexTests {
    @Test("the worker's three questions use an index, also in a ledger from before the attention index")
    func workerQueriesUseAnIndex() throws {
        let dir = try TemporaryDirectory()
        let db = dir.file("l.sqlite")
        func plans() throws -> [String] { try queryPlans(db, PrintQueueSQL.all) }
        func expectIndexed(_ plans: [String]) {
            #expect(plans.count == 3)
            #expect(plans[0].contains("USING INDEX print_job_open"), "next job: \(plans[0])")
            #expect(plans[1].contains("INDEX print_job_open"), "open count: \(plans[1])")
            #expect(plans[2].contains("USING INDEX print_job_attention"), "needs attention: \(plans[2])")
        }
        do {
            _ = try StoreFixture.open(db)
            expectIndexed(try plans())
        }
        // Given the file as v11 left it, the attention count reads every receipt ever queued
        _ = try sqlite(db, """
            DROP INDEX print_job_attention;
            DELETE FROM grdb_migrations WHERE identifier = 'v12-print-job-attention'
            """)
        let before = try plans()[2]
        #expect(before.contains("SCAN print_job") && !before.contains("INDEX"), "\(before)")
        // When it is opened, the migration adds the index
        _ = try StoreFixture.open(db)
        expectIndexed(try plans())
    }

    @Test("the head of the queue is the oldest open job, with the number open; printed and failed jobs leave it")
    func headAndCount() throws {
        let dir = try TemporaryDirectory()
        let ledger = try StoreFixture.open(dir.file("l.sqlite"))
        #expect(try ledger.printQueueHead().next == nil)
        #expect(try ledger.printQueueHead().open == 0)

        let jobs = try (1...4).map { try ledger.enqueuePrint(.test, document: Array("page \($0)".utf8)) }
        var head = try ledger.printQueueHead()
        #expect(head.next?.id == jobs[0].id)
        #expect(head.open == 4)

        // When the first prints, the second fails and the third is sent (still open)
        try ledger.updatePrintJob(jobs[0].id, state: .printed)
        try ledger.updatePrintJob(jobs[1].id, state: .failed, error: "paper out")
        try ledger.updatePrintJob(jobs[2].id, state: .sent)
        head = try ledger.printQueueHead()
        // Then the sent one heads the queue, two are open, and the failed one is counted for the owner
        #expect(head.next?.id == jobs[2].id)
        #expect(head.next?.state == .sent)
        #expect(head.open == 2)
        #expect(try ledger.printJobsNeedingAttention(since: 0) == 1)
        #expect(try ledger.openPrintJobs().map(\.id) == [jobs[2].id, jobs[3].id])

        try ledger.updatePrintJob(jobs[2].id, state: .printed)
        try ledger.updatePrintJob(jobs[3].id, state: .unknown, error: "the printer went away mid-job")
        head = try ledger.printQueueHead()
        #expect(head.next == nil)
        #expect(head.open == 0)
        #expect(try ledger.printJobsNeedingAttention(since: 0) == 2)
        // Only lately: a window that starts after the changes counts none
        #expect(try ledger.printJobsNeedingAttention(since: Int64.max) == 0)
    }
}
