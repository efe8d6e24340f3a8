import Foundation
import Logging
import RuyiCore
import RuyiLedger
import RuyiPayments
import RuyiSystem

/// How long the till waits on a code payment, and how often it asks.
struct CodePaymentPolicy: Sendable {
    /// Between queries while the customer confirms ("user paying"), and between reversal retries.
    var pollSeconds: Double = 2
    /// How long a customer may take to confirm before the till gives up and reverses the order.
    var waitSeconds: Double = 60
}

/// What became of an attempt, for the till.
enum CodePaymentResolution: Sendable, Equatable {
    case paid(transaction: String)
    /// Not paid (declined, closed, or given up on and being reversed): the cart is open again.
    case notPaid(reason: String)
}

/// Runs each payment-code attempt against the acquirer, off the till: pay → (user paying → query …) → paid, or
/// declined, or — on timeout, on the cashier's cancel, when the answer never comes and the order cannot be shown paid,
/// or when the till can no longer take the payment — reversed. Every step is in the ledger before the next request.
/// After a restart every unfinished attempt is queried (never paid again) and then completed into the restored cart or
/// reversed: a customer is never charged for a sale the till did not complete, and no sale completes unpaid.
///
/// Its ledger writes block (each step is synced to disk before the next request), so it runs on the till's own thread,
/// never on Swift's shared pool.
actor CodePayments {
    private nonisolated let executor: DedicatedThreadExecutor
    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    nonisolated let provider: any PaymentProvider
    private let ledger: Ledger
    private let policy: CodePaymentPolicy
    private let events: EventHub
    private let logger: Logger
    /// The till takes a settled attempt (true) or cannot (false: the attempt is reversed).
    private var resolve: (@Sendable (UUID, CodePaymentResolution) async -> Bool)?
    private var cancelled: Set<UUID> = []
    private var tasks: [UUID: Task<Void, Never>] = [:]

    /// `executor`: the till's thread (``TillSession/executor``).
    init(provider: any PaymentProvider, ledger: Ledger, policy: CodePaymentPolicy, events: EventHub, logger: Logger,
         executor: DedicatedThreadExecutor) {
        self.executor = executor
        self.provider = provider
        self.ledger = ledger
        self.policy = policy
        self.events = events
        self.logger = logger
    }

    func onResolve(_ body: @escaping @Sendable (UUID, CodePaymentResolution) async -> Bool) { resolve = body }

    /// Whether the acquirer answers, asked before each attempt (a health check of at most 3 s): offline, the cashier
    /// hears it at once instead of after the wait.
    func reachable() async -> Bool {
        let ok = await provider.reachable()
        lastReachable = ok
        return ok
    }

    /// As the acquirer last answered a health check (nil: not asked yet).
    private(set) var lastReachable: Bool?

    /// Starts attempt `id` (already in the ledger, state `started`): the one request with the auth code.
    func start(_ id: UUID, authCode: String, amount: Money) {
        tasks[id] = Task { await self.drive(id, authCode: authCode, amount: amount, since: Date()) }
    }

    /// The cashier gave up: the attempt is reversed as soon as it can be.
    func cancel(_ id: UUID) { cancelled.insert(id) }

    /// After a start: every attempt the ledger has unfinished is queried and settled.
    func recover() {
        guard let open = try? ledger.unfinishedPaymentAttempts() else { return }
        for a in open where tasks[a.id] == nil {
            logger.notice("settling a payment-code attempt left unfinished", metadata: ["order": "\(a.id)", "state": "\(a.state.rawValue)"])
            let since = Date(timeIntervalSince1970: Double(a.createdAt) / 1000)
            tasks[a.id] = Task {
                if a.state == .reversing { await self.reverse(a.id, reason: "left reversing") } else { await self.poll(a.id, amount: a.amount, since: since) }
            }
        }
    }

    func close() {
        tasks.values.forEach { $0.cancel() }
        tasks = [:]
    }

    /// The attempts still being worked on (tests wait on it).
    var running: Int { tasks.count }

    // MARK: the flow

    private func drive(_ id: UUID, authCode: String, amount: Money, since: Date) async {
        step(id, "micropay sent")
        let answer: PayAnswer
        do { answer = try await provider.pay(order: Self.order(id), authCode: authCode, amount: amount, subject: "如意收银") } catch {
            if !error.sent {
                // The request never left: nothing happened at the acquirer, the customer can pay another way now.
                await finish(id, .declined, detail: "not sent: \(error.detail)", reason: "offline")
                return
            }
            // Nothing is known: the order may be paid, paying, or never arrived. Ask.
            step(id, "micropay: no answer (\(error.detail))")
            await poll(id, amount: amount, since: since)
            return
        }
        switch answer {
        case let .paid(transaction):
            await paid(id, transaction)
        case .userPaying:
            step(id, "user paying", state: .paying)
            publish(id, "paying", amount: amount)
            await poll(id, amount: amount, since: since)
        case let .declined(code, message):
            await finish(id, .declined, detail: "\(code) \(message)", reason: message.isEmpty ? code : message)
        }
    }

    /// Queries until the order settles, the wait is over, or the cashier cancels.
    private func poll(_ id: UUID, amount: Money, since: Date) async {
        while !Task.isCancelled {
            if cancelled.contains(id) { await reverse(id, reason: "cancelled by the cashier"); return }
            let state: OrderState
            do { state = try await provider.query(order: Self.order(id)) } catch {
                step(id, "query: no answer (\(error.detail))")
                if Date().timeIntervalSince(since) > policy.waitSeconds { await reverse(id, reason: "no answer in \(Int(policy.waitSeconds)) s"); return }
                guard await sleep() else { return }
                continue
            }
            switch state {
            case let .paid(transaction):
                await paid(id, transaction)
                return
            case .userPaying:
                if Date().timeIntervalSince(since) > policy.waitSeconds { await reverse(id, reason: "not confirmed in \(Int(policy.waitSeconds)) s"); return }
            case .notPaid:
                // The request never arrived, or the customer has not started: close it so it cannot be paid later.
                await reverse(id, reason: "not paid")
                return
            case let .closed(reason):
                await finish(id, .declined, detail: "closed: \(reason)", reason: reason)
                return
            case .reversed:
                await finish(id, .reversed, detail: "reversed at the acquirer", reason: "reversed")
                return
            }
            guard await sleep() else { return }
        }
    }

    private func paid(_ id: UUID, _ transaction: String) async {
        step(id, "paid", state: .paid, transaction: transaction)
        if cancelled.contains(id) { await reverse(id, reason: "paid after the cashier cancelled"); return }
        let taken = await resolve?(id, .paid(transaction: transaction)) ?? false
        if taken {
            tasks[id] = nil
        } else {
            await reverse(id, reason: "the till could not complete the sale")
        }
    }

    /// Reverses the order until the acquirer confirms; the cart is told at once that it is not paid.
    private func reverse(_ id: UUID, reason: String) async {
        step(id, "reversing: \(reason)", state: .reversing)
        publish(id, "reversing", message: reason)
        _ = await resolve?(id, .notPaid(reason: reason))
        while !Task.isCancelled {
            do {
                switch try await provider.reverse(order: Self.order(id)) {
                case .reversed:
                    await finish(id, .reversed, detail: reason, reason: reason)
                    return
                case .retry:
                    step(id, "reverse: retry asked")
                case let .refused(code, message):
                    step(id, "reverse refused: \(code) \(message)")
                    // Refused: settled already? Only a closed or reversed order ends it; otherwise keep trying.
                    if let s = try? await provider.query(order: Self.order(id)) {
                        switch s {
                        case .closed, .reversed, .notPaid:
                            await finish(id, .reversed, detail: "\(reason); acquirer: \(code)", reason: reason)
                            return
                        case .paid, .userPaying: break
                        }
                    }
                }
            } catch {
                step(id, "reverse: no answer (\(error.detail))")
            }
            guard await sleep() else { return }
        }
    }

    private func finish(_ id: UUID, _ state: PaymentAttemptState, detail: String, reason: String) async {
        do { try ledger.finishPaymentAttempt(id, state, detail: detail) } catch {
            logger.error("cannot record the end of a payment-code attempt", metadata: ["order": "\(id)", "error": "\(error)"])
        }
        publish(id, state.rawValue, message: reason)
        // (The till ignores this when its cart no longer waits on the attempt, as after a reversal it was told of.)
        _ = await resolve?(id, .notPaid(reason: reason))
        tasks[id] = nil
        cancelled.remove(id)
    }

    private func step(_ id: UUID, _ text: String, state: PaymentAttemptState? = nil, transaction: String? = nil) {
        do { try ledger.paymentStep(id, text, state: state, transaction: transaction) } catch {
            logger.error("cannot record a payment-code step", metadata: ["order": "\(id)", "step": "\(text)", "error": "\(error)"])
        }
        logger.info("code payment", metadata: ["order": "\(id)", "step": "\(text)"])
    }

    private func publish(_ id: UUID, _ state: String, amount: Money? = nil, message: String? = nil) {
        var fields = ["state": state, "order": Self.order(id)]
        if let amount { fields["amount"] = amount.formatted }
        if let message { fields["message"] = message }
        events.publish(name: "payment", fields)
    }

    /// False when the task was cancelled (shutdown): the attempt stays unfinished and is settled after the restart.
    private func sleep() async -> Bool {
        do { try await Task.sleep(for: .milliseconds(Int(policy.pollSeconds * 1000))) } catch { return false }
        return true
    }

    static func order(_ id: UUID) -> String { id.uuidString.lowercased() }
}
