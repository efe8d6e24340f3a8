import Foundation
import Logging
import RuyiAPI
import RuyiCore
import RuyiLedger
import RuyiPayments
import RuyiPrinting
import RuyiReceipts
import RuyiTestKit
import Testing
@testable import RuyiDaemon

/// The till session in-process, on a real SQLite ledger: owner unlock, discounts and their limits, PIN resets.
@Suite struct TillSessionTests {
    struct Till {
        let dir: TemporaryDirectory
        let ledger: Ledger
        let till: TillSession
    }

    static func till(policy: TillPolicy = TillPolicy(), clock: any TillClock = SystemClock()) throws -> Till {
        let dir = try TemporaryDirectory(prefix: "till")
        let ledger = try StoreFixture.open(dir.file("ledger.sqlite"), clock: clock, random: SystemRandomSource())
        return Till(dir: dir, ledger: ledger, till: try session(ledger, dir, policy: policy))
    }

    /// A till session on `dir`'s journal: a second one is the till after a restart.
    static func session(_ ledger: Ledger, _ dir: TemporaryDirectory, policy: TillPolicy) throws -> TillSession {
        try TillSession(ledger: ledger, journalPath: dir.file("open-cart"), maxTender: Money(fen: 2_000_000),
                        store: StoreReceiptInfo(storeName: "测试店"), profile: .generic80, cashRounding: false,
                        policy: policy, events: EventHub(), logger: Logger(label: "test")) {}
    }

    static func failure(_ body: () async throws -> some Any) async -> TillFailure? {
        do { _ = try await body(); return nil } catch let e as TillFailure { return e } catch { return TillFailure(0, "\(error)") }
    }

    @Test func theTillAndItsCodePaymentsRunOnTheirOwnThreadNotTheSharedPool() async throws {
        let t = try Self.till()
        _ = try await t.till.signIn(SignInRequest(cashier: StoreFixture.cashier, pin: "1234"))
        _ = try await t.till.scan(bytes: Array("6901234567892".utf8))
        // Everything the till does — each sale's commit, which waits for the disk, among it — runs on `ruyi-till`.
        #expect(await t.till.threadName() == "ruyi-till")
        let provider = try HTTPAcquirer(name: "test", url: "http://127.0.0.1:9/", merchant: "m1", timeoutSeconds: 1)
        let payments = CodePayments(provider: provider, ledger: t.ledger, policy: CodePaymentPolicy(), events: EventHub(),
                                    logger: Logger(label: "test"), executor: t.till.executor)
        #expect(await payments.threadName() == "ruyi-till")
    }

    @Test func stockIsFoldedAndTheWALCheckpointedWhileTheCounterIsQuietNeverDuringASale() async throws {
        let clock = ManualClock()
        let t = try Self.till(clock: clock)
        _ = try await t.till.signIn(SignInRequest(cashier: StoreFixture.cashier, pin: "1234"))
        _ = try await t.till.scan(bytes: Array("6901234567892".utf8))
        _ = try #require(try await t.till.tenderCash(CashTenderRequest(amount: "10")).done)
        let backlog = try t.ledger.stockBacklog()
        #expect(backlog > 0, "a sale writes no stock level")
        #expect(try walState(t.ledger.path).backfilled < (try walState(t.ledger.path).frames), "the sale left frames to copy")
        // A sale in progress: nothing is folded, however long it has been open
        _ = try await t.till.scan(bytes: Array("6901234567892".utf8))
        clock.advance(millis: 60_000)
        #expect(await t.till.idleUpkeep() == false)
        #expect(try t.ledger.stockBacklog() == backlog)
        // Right after a sale the counter is not quiet yet; 3 s later it is: the backlog is folded (in slices), and the
        // level is right
        _ = try #require(try await t.till.tenderCash(CashTenderRequest(amount: "10")).done)
        #expect(await t.till.idleUpkeep() == false)
        #expect(try t.ledger.stockBacklog() > 0)
        clock.advance(millis: 3_000)
        var slices = 0
        while await t.till.idleUpkeep(slice: 1) { slices += 1 }
        #expect(slices >= 1)
        #expect(try t.ledger.stockBacklog() == 0)
        #expect(try t.ledger.stockLevel("cola") == -2)
        // And the WAL was copied into the file: nothing is left for the next sale to checkpoint
        let wal = try walState(t.ledger.path)
        #expect(wal.frames > 0 && wal.backfilled == wal.frames, "\(wal)")
    }

    @Test func ownerActionsNeedTheOwnersPINAndLockAgainAfterAWhile() async throws {
        let clock = ManualClock()
        let t = try Self.till(policy: TillPolicy(ownerUnlockSeconds: 120), clock: clock)
        _ = try await t.till.signIn(SignInRequest(cashier: StoreFixture.cashier, pin: "1234"))
        // A cashier alone cannot change a price.
        #expect(await Self.failure { try await t.till.changePrice(product: "cola", PriceRequest(price: "4.00")) }?.code == "auth.owner_required")
        // A cashier's PIN does not unlock owner actions, and a wrong owner PIN neither.
        #expect(await Self.failure { try await t.till.unlockOwner(OwnerUnlockRequest(owner: StoreFixture.cashier, pin: "1234")) }?.code == "auth.not_owner")
        #expect(await Self.failure { try await t.till.unlockOwner(OwnerUnlockRequest(owner: StoreFixture.owner, pin: "0000")) }?.code == "auth.wrong_pin")
        let unlocked = try await t.till.unlockOwner(OwnerUnlockRequest(owner: StoreFixture.owner, pin: "8888"))
        #expect(unlocked.owner == StoreFixture.owner && unlocked.unlockedForSeconds == 120)
        #expect(await t.till.ownerUnlockedBy == StoreFixture.owner)
        #expect(await t.till.cashierID == StoreFixture.cashier, "the cashier stays signed in")
        _ = try await t.till.changePrice(product: "cola", PriceRequest(price: "4.00"))
        #expect(try t.ledger.product(id: "cola")?.price == Money(fen: 400))
        // Each owner action keeps it unlocked a while; after the interval with none, it is locked again.
        clock.advance(millis: 100_000)
        _ = try await t.till.changePrice(product: "cola", PriceRequest(price: "4.00"))
        clock.advance(millis: 100_000)
        #expect(await t.till.ownerUnlockedBy == StoreFixture.owner, "200 s after the unlock, 100 s after the last owner action")
        // A wall clock stepped far ahead (a bad time sync) does not lock it either: the window runs on monotonic time.
        clock.setWall(clock.wallMillis() + 3_600_000)
        #expect(await t.till.ownerUnlockedBy == StoreFixture.owner)
        clock.advance(millis: 21_000)
        #expect(await t.till.ownerUnlockedBy == nil)
        #expect(await Self.failure { try await t.till.changePrice(product: "cola", PriceRequest(price: "5.00")) }?.code == "auth.owner_required")
        #expect(try t.ledger.product(id: "cola")?.price == Money(fen: 400))
        // Locked at once on request, and when someone signs in.
        _ = try await t.till.unlockOwner(OwnerUnlockRequest(owner: StoreFixture.owner, pin: "8888"))
        await t.till.lockOwner()
        #expect(await t.till.ownerUnlockedBy == nil)
        _ = try await t.till.signIn(SignInRequest(cashier: StoreFixture.owner, pin: "8888"))
        #expect(await t.till.ownerUnlockedBy == StoreFixture.owner, "the owner signing in has typed their PIN")
        _ = try await t.till.signIn(SignInRequest(cashier: StoreFixture.cashier, pin: "1234"))
        #expect(await t.till.ownerUnlockedBy == nil, "another cashier signing in locks owner actions")
    }

    @Test func fiveWrongOwnerPINsLockTheOwnerOutAndAResetPINLiftsACashiersLockOut() async throws {
        let t = try Self.till()
        for _ in 0..<5 {
            #expect(await Self.failure { try await t.till.unlockOwner(OwnerUnlockRequest(owner: StoreFixture.owner, pin: "1111")) }?.code == "auth.wrong_pin")
        }
        #expect(await Self.failure { try await t.till.unlockOwner(OwnerUnlockRequest(owner: StoreFixture.owner, pin: "8888")) }?.status == 423)
        // A cashier locked out by wrong PINs: the owner (unlocked on another ledger account — here a second owner) resets it.
        try t.ledger.addCashier(id: "boss2", name: "老板娘", role: .owner, pin: "7777", by: StoreFixture.owner)
        for _ in 0..<5 { _ = await Self.failure { try await t.till.signIn(SignInRequest(cashier: StoreFixture.cashier, pin: "9999")) } }
        #expect(await Self.failure { try await t.till.signIn(SignInRequest(cashier: StoreFixture.cashier, pin: "1234")) }?.status == 423)
        #expect(await Self.failure { try await t.till.resetPIN(of: StoreFixture.cashier, PINResetRequest(pin: "4321")) }?.code == "auth.owner_required")
        _ = try await t.till.unlockOwner(OwnerUnlockRequest(owner: "boss2", pin: "7777"))
        #expect(await Self.failure { try await t.till.resetPIN(of: StoreFixture.cashier, PINResetRequest(pin: "12")) }?.field == "pin")
        #expect(await Self.failure { try await t.till.resetPIN(of: "nobody", PINResetRequest(pin: "4321")) }?.status == 404)
        try await t.till.resetPIN(of: StoreFixture.cashier, PINResetRequest(pin: "4321"))
        #expect(await Self.failure { try await t.till.signIn(SignInRequest(cashier: StoreFixture.cashier, pin: "1234")) }?.code == "auth.wrong_pin")
        #expect(try await t.till.signIn(SignInRequest(cashier: StoreFixture.cashier, pin: "4321")).cashier == StoreFixture.cashier)
        // The chain says the PIN changed and who changed it; never the PIN.
        #expect(try LedgerVerifier.verify(path: t.dir.file("ledger.sqlite")).intact)
    }

    @Test func discountsWithinTheCashiersLimitAndBeyondItWithTheOwner() async throws {
        let t = try Self.till(policy: TillPolicy(cashierDiscountLimitBP: 1000))
        _ = try await t.till.signIn(SignInRequest(cashier: StoreFixture.cashier, pin: "1234"))
        _ = try await t.till.scan(bytes: Array("036000291452".utf8)) // rice 49.90
        _ = try await t.till.scan(bytes: Array("6901234567892".utf8)) // cola 3.50
        // 10 % off the rice: within the limit.
        var v = try await t.till.discountLine(1, DiscountRequest(percent: "10"))
        #expect(v.lines[0].amount == "44.91" && v.lines[0].lineDiscount == "10%" && v.lines[0].discount == "4.99")
        #expect(v.total == "48.41" && v.discount == "4.99")
        // 30 % needs the owner: refused, and the cart is as it was.
        let before = await t.till.view()
        #expect(await Self.failure { try await t.till.discountLine(1, DiscountRequest(percent: "30")) }?.code == "till.discount_needs_owner")
        #expect(await Self.failure { try await t.till.discountSale(DiscountRequest(amount: "10.00")) }?.code == "till.discount_needs_owner")
        #expect(await t.till.view() == before)
        // Bad discounts: each refused with its reason, nothing changed.
        for bad in [DiscountRequest(), DiscountRequest(amount: "1", percent: "1"), DiscountRequest(percent: "101"), DiscountRequest(percent: "0"),
                    DiscountRequest(percent: "-5"), DiscountRequest(percent: "1.234"), DiscountRequest(percent: "abc"), DiscountRequest(amount: "-1.00"),
                    DiscountRequest(amount: "0"), DiscountRequest(amount: "1e3")] {
            #expect(await Self.failure { try await t.till.discountLine(2, bad) }?.code == "till.bad_discount", "\(bad)")
        }
        #expect(await Self.failure { try await t.till.discountLine(9, DiscountRequest(percent: "5")) }?.status == 404)
        #expect(await t.till.view() == before)
        // The owner's PIN: 30 % on the rice and ¥5.00 off the sale.
        _ = try await t.till.unlockOwner(OwnerUnlockRequest(owner: StoreFixture.owner, pin: "8888"))
        v = try await t.till.discountLine(1, DiscountRequest(percent: "30"))
        #expect(v.lines[0].amount == "34.93")
        #expect(await Self.failure { try await t.till.discountLine(2, DiscountRequest(amount: "3.51")) }?.code == "cart.discount_too_large")
        v = try await t.till.discountSale(DiscountRequest(amount: "5.00"))
        #expect(v.total == "33.43" && v.saleDiscount == "5.00")
        // The wire writes exactly what JSONEncoder would, and the journal reads back as the cart it was.
        let foundation = JSONEncoder()
        foundation.keyEncodingStrategy = .convertToSnakeCase
        foundation.outputFormatting = [.sortedKeys]
        #expect(try WireCoding.encodeData(v) == foundation.encode(v))
        // The journal (a snapshot and the deltas after it) gives back this cart and cashier.
        let restored = try Self.session(t.ledger, t.dir, policy: TillPolicy())
        #expect(await restored.cart == t.till.cart)
        #expect(await restored.cashierID == StoreFixture.cashier)
        // The sale discount is spread over the lines exactly.
        let amounts = v.lines.map { Money(fen: Int64($0.amount.replacingOccurrences(of: ".", with: ""))!) }
        #expect(amounts.reduce(0) { $0 + $1.minorUnits } == 3343)
        // Removing discounts is always allowed.
        await t.till.lockOwner()
        v = try await t.till.discountSale(nil)
        #expect(v.saleDiscount == nil && v.total == "38.43")
        // The price the customer was shown is what is paid and recorded.
        let done = try #require(try await t.till.tenderCash(CashTenderRequest(amount: "50")).done)
        #expect(done.total == "38.43" && done.change == "11.57")
        #expect(done.preview.contains("优惠") || done.preview.contains("折扣"), "\(done.preview)")
        #expect(try t.ledger.xReport().discounts == 1497)
    }

    @Test func linesByProductIdOpenPriceGoodsAndUnknownBarcodesSoldAtAnEnteredPrice() async throws {
        let t = try Self.till()
        _ = try await t.till.signIn(SignInRequest(cashier: StoreFixture.cashier, pin: "1234"))
        #expect(try await t.till.addLine(AddLineRequest(product: "cola")).line?.amount == "3.50")
        #expect(try await t.till.addLine(AddLineRequest(product: "16901234567899")).line?.quantity == "24", "a case barcode adds its pack")
        #expect(try await t.till.addLine(AddLineRequest(product: "apple", quantity: "0.350")).line?.amount == "4.48")
        #expect(await Self.failure { try await t.till.addLine(AddLineRequest(product: "apple")) }?.field == "quantity", "weighed goods need a weight")
        #expect(await Self.failure { try await t.till.addLine(AddLineRequest(product: "bag")) }?.code == "cart.price_required")
        #expect(try await t.till.addLine(AddLineRequest(product: "bag", price: "0.30")).line?.amount == "0.30")
        #expect(await Self.failure { try await t.till.addLine(AddLineRequest(product: "cola", price: "1.00")) }?.code == "cart.price_override_not_allowed")
        let before = await t.till.view()
        for (bad, code) in [(AddLineRequest(), "till.bad_line"), (AddLineRequest(product: "cola", barcode: "1"), "till.bad_line"),
                            (AddLineRequest(product: "nothing"), "stock.unknown_product"), (AddLineRequest(product: "bag", price: "-1"), "till.bad_amount"),
                            (AddLineRequest(product: "bag", price: "999999"), "till.amount_too_large"), (AddLineRequest(barcode: "6900000000001"), "till.bad_amount"),
                            (AddLineRequest(barcode: "6901234567892", price: "3.00"), "till.not_allowed"),
                            (AddLineRequest(barcode: "69 01", price: "3.00"), "till.misread"), (AddLineRequest(product: "cola", quantity: "0"), "till.bad_quantity")] {
            #expect(await Self.failure { try await t.till.addLine(bad) }?.code == code, "\(bad)")
        }
        #expect(await t.till.view() == before, "nothing changed by the refusals")
        // An unknown barcode sold at an entered price; the owner finds it among the pending products after the sale.
        let unknown = try await t.till.addLine(AddLineRequest(barcode: "6900000000001", price: "5.00", name: "牙刷"))
        #expect(unknown.line?.name == "牙刷" && unknown.cart.total == "97.28")
        #expect(try await t.till.tenderCash(CashTenderRequest(amount: "100")).done?.change == "2.72")
        #expect(try t.ledger.pendingProducts().map(\.barcode) == ["6900000000001"])
        let detail = try await t.till.productDetail("6901234567892")
        #expect(detail.product.id == "cola" && detail.onHand == -25 && detail.priceHistory.count == 1, "\(detail)")
        #expect(await Self.failure { try await t.till.productDetail("nothing") }?.status == 404)
    }
}

extension TillSession {
    func threadName() -> String { currentThreadName() }
}

extension CodePayments {
    func threadName() -> String { currentThreadName() }
}

/// The WAL's last frame and how many frames a checkpoint has copied into the database file, read from the wal-index
/// (`-shm`) without taking part (https://sqlite.org/walformat.html: `mxFrame` at byte 16 of the header, `nBackfill` at
/// byte 96 in the checkpoint information after its two copies).
func walState(_ path: String) throws -> (frames: UInt32, backfilled: UInt32) {
    let shm = try Data(contentsOf: URL(fileURLWithPath: path + "-shm"))
    func u32(_ at: Int) -> UInt32 { shm[at..<(at + 4)].withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) } }
    return (u32(16), u32(96))
}
