import ArgumentParser
import Foundation
import RuyiAPI

struct MenuScreenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "menu", abstract: "The owner's menu (full screen: numbered choices, plain words).")
    @Option(name: .long, help: "ruyid's socket (default: $RUYI_SOCKET, then /run/ruyi/ruyid.sock).") var socket: String?

    func run() throws {
        let term = try Terminal.forScreen("ruyi menu")
        defer { term.restore() }
        MenuScreen(term: term, api: ScreenAPI(socket: APIClient.socketPath(flag: socket))).run()
    }
}

/// The owner's menu: at most 9 numbered choices a screen, big plain words from `MenuStrings`, and every action that
/// cannot be undone restated — with its amount — before a second key does it.
final class MenuScreen {
    struct Choice {
        let label: String
        let action: () -> Void
    }

    enum Mode {
        case choose
        case ask(label: String, secret: Bool, submit: (String) -> Void)
        case confirm(yes: () -> Void)
    }

    let term: Terminal
    let api: ScreenAPI
    var title = ""
    var body: [String] = []
    var choices: [Choice] = []
    var mode: Mode = .choose
    var message = ""
    var isError = false
    var input = ""
    var owner: String?
    var ownerID: String?
    var current: (() -> Void)?
    var history: [() -> Void] = []
    var quit = false

    init(term: Terminal, api: ScreenAPI) {
        self.term = term
        self.api = api
    }

    func t(_ key: String, _ args: String...) -> String { MenuStrings.text(key, args) }

    func run() {
        signIn()
        while !quit {
            term.draw(frame())
            guard let key = term.key(timeoutMS: 1000, wake: -1) else { continue }
            handle(key)
        }
    }

    // MARK: pages

    func show(_ page: @escaping () -> Void) {
        if let current { history.append(current) }
        current = page
        mode = .choose
        page()
    }

    func back() {
        guard let previous = history.popLast() else { quit = true; return }
        current = previous
        mode = .choose
        previous()
    }

    /// Shows the page again with fresh figures (after an action).
    func again() {
        mode = .choose
        current?()
    }

    func page(_ title: String, _ body: [String], _ choices: [Choice]) {
        self.title = title
        self.body = body
        self.choices = Array(choices.prefix(9))
    }

    func signIn() {
        page(t("title"), [], [])
        ask(t("signin.owner")) { id in
            guard !id.isEmpty else { self.signIn(); return }
            self.ask(self.t("signin.pin"), secret: true) { pin in
                let status = try? self.api.call("GET", "/v1/status", as: StatusView.self).get()
                let result: Result<String, ScreenAPI.Refusal>
                if status?.cashier == nil {
                    // No cashier at the till: the owner signs in (which unlocks the owner's actions too).
                    result = self.api.call("POST", "/v1/session", SignInRequest(cashier: id, pin: pin), as: SessionView.self).map(\.name)
                } else {
                    result = self.api.call("POST", "/v1/session/owner", OwnerUnlockRequest(owner: id, pin: pin), as: OwnerSessionView.self).map(\.name)
                }
                switch result {
                case let .success(name):
                    self.owner = name
                    self.ownerID = id
                    self.say(self.t("signin.hello", name))
                    self.show(self.main)
                case let .failure(e):
                    self.refused(e)
                    self.signIn()
                }
            }
        }
    }

    // MARK: asking

    func ask(_ label: String, secret: Bool = false, _ submit: @escaping (String) -> Void) {
        input = ""
        mode = .ask(label: label, secret: secret, submit: submit)
    }

    /// The body already restates what will be done (with its amount); 1 does it, 0 leaves everything as it was.
    func confirm(_ yes: @escaping () -> Void) {
        mode = .confirm(yes: yes)
    }

    func result(_ refusal: ScreenAPI.Refusal?, done: String) {
        if let refusal { refused(refusal) } else { say(done) }
    }

    /// A refusal, shown; when it is because owner actions were locked again (a cashier signed in at the till, or a
    /// while passed), the owner's PIN is asked for once more.
    func refused(_ e: ScreenAPI.Refusal) {
        say(e.message, error: true)
        guard e.code == "auth.owner_required", let id = ownerID else { return }
        ask(t("signin.again")) { pin in
            switch self.api.call("POST", "/v1/session/owner", OwnerUnlockRequest(owner: id, pin: pin), as: OwnerSessionView.self) {
            case .success: self.say(self.t("signin.unlocked"))
            case let .failure(e): self.say(e.message, error: true)
            }
            self.again()
        }
    }

    func say(_ text: String, error: Bool = false) {
        message = text
        isError = error
    }

    func handle(_ key: Terminal.Key) {
        if key == .ctrlC { quit = true; return }
        switch mode {
        case .choose:
            switch key {
            case let .char(c) where c == "0" || key == .escape: back()
            case let .char(c):
                if let n = c.wholeNumberValue, n >= 1, n <= choices.count { message = ""; choices[n - 1].action() }
            case .escape: back()
            default: break
            }
        case let .ask(_, _, submit):
            switch key {
            case .enter:
                let text = input.trimmingCharacters(in: .whitespaces)
                input = ""
                mode = .choose
                submit(text)
            case .escape:
                input = ""
                if owner == nil { quit = true } else { say(t("not_done")); again() }
            case .backspace: if !input.isEmpty { input.removeLast() }
            case let .char(c): input.append(c)
            default: break
            }
        case let .confirm(yes):
            switch key {
            case .char("1"):
                mode = .choose
                yes()
                again()
            case .char("0"), .escape:
                say(t("not_done"))
                again()
            default: break
            }
        }
    }

    // MARK: drawing

    func frame() -> [Terminal.Row] {
        var out: [Terminal.Row] = [.init(" " + t("title") + (title == t("title") || title.isEmpty ? "" : " │ " + title) + (owner.map { " │ 老板 \($0)" } ?? ""), strong: true), .init("")]
        for line in body { out.append(.init("  " + line)) }
        if !body.isEmpty { out.append(.init("")) }
        if case .choose = mode {
            for (i, c) in choices.enumerated() { out.append(.init("   \(i + 1)   \(c.label)")) }
            if owner != nil { out.append(.init("   0   \(history.isEmpty ? t("quit") : t("back"))")) }
        }
        out.append(.init(""))
        out.append(.init(message.isEmpty ? "" : "  " + message, strong: isError))
        switch mode {
        case .choose: out.append(.init("  " + t("pick")))
        case let .ask(label, secret, _): out.append(.init("  \(label)：" + (secret ? String(repeating: "*", count: input.count) : input) + "▏"))
        case .confirm: out.append(.init("  " + t("confirm")))
        }
        return out
    }

    static func fen(_ text: String) -> Int64? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = Int64(parts[0].isEmpty ? "0" : String(parts[0])), whole >= 0 else { return nil }
        var frac: Int64 = 0
        if parts.count == 2 {
            guard parts[1].count <= 2, parts[1].allSatisfy(\.isNumber) else { return nil }
            frac = Int64(parts[1].padding(toLength: 2, withPad: "0", startingAt: 0)) ?? 0
        }
        return whole * 100 + frac
    }

    static func yuan(_ fen: Int64) -> String { String(format: "%lld.%02lld", fen / 100, fen % 100) }
}
