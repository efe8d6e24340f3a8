import Testing
@testable import RuyiDaemon

@Suite struct ConfigTests {
    func refusal(_ text: String) -> ConfigError? {
        do { _ = try DaemonConfig.parse(text, file: "/etc/ruyi/ruyid.toml"); return nil } catch { return error }
    }

    @Test func noFileAndAnEmptyFileAreTheEmbeddedDefaults() throws {
        #expect(try DaemonConfig.parse("", file: "x.toml") == DaemonConfig())
        #expect(DaemonConfig().socket == "/run/ruyi/ruyid.sock" && DaemonConfig().printerKind == "spool")
    }

    @Test func aFullFileIsRead() throws {
        let c = try DaemonConfig.parse("""
            # the shop on the corner
            [daemon]
            socket = "/tmp/r.sock"
            [store]
            name = "如意小卖部"
            cash_rounding_jiao = true
            [till]
            max_tender_yuan = 5000
            [log]
            level = "debug"
            levels = { scanner = "trace", usb = "warning" }
            """, file: "x.toml")
        #expect(c.socket == "/tmp/r.sock" && c.storeName == "如意小卖部" && c.cashRoundingToJiao && c.maxTenderYuan == 5000)
        #expect(c.logLevel == "debug" && c.logLevels == ["scanner": "trace", "usb": "warning"])
        // --print-config's output reads back to the same configuration.
        #expect(try DaemonConfig.parse(c.toml, file: "printed") == c)
    }

    @Test func errorsNameFileLineAndDottedKey() throws {
        let cases: [(String, Int?, String?, String)] = [
            ("[store]\nname = \"a\"\nnmae = \"b\"\n", 3, "store.nmae", "unknown key"),
            ("[tills]\nmax_tender_yuan = 1\n", 1, "tills", "unknown section"),
            ("\n[till]\n\nmax_tender_yuan = \"lots\"\n", 4, "till.max_tender_yuan", "whole number"),
            ("[till]\nmax_tender_yuan = 0\n", 2, "till.max_tender_yuan", "out of range"),
            ("[store]\ncash_rounding_jiao = 1\n", 2, "store.cash_rounding_jiao", "true or false"),
            ("[printer]\nkind = \"laser\"\n", 2, "printer.kind", "not one of"),
            ("[log]\nlevels = { scanner = \"loud\" }\n", 2, "log.levels.scanner", "must be one of"),
            ("[log]\nlevels = { scaner = \"debug\" }\n", 2, "log.levels.scaner", "unknown module"),
            ("[daemon]\nsocket = \"relative.sock\"\n", 2, "daemon.socket", "absolute"),
            ("store = 3\n", 1, "store", "must be a section"),
            ("[store\nname = 1\n", 1, nil, "not valid TOML"),
        ]
        for (text, line, key, words) in cases {
            let e = try #require(refusal(text), "accepted: \(text)")
            #expect(e.line == line && e.key == key, "\(text.debugDescription): \(e)")
            #expect(e.problem.contains(words), "\(e)")
            #expect(e.file == "/etc/ruyi/ruyid.toml")
            #expect(e.description.hasPrefix("/etc/ruyi/ruyid.toml:\(line.map(String.init) ?? "")"))
        }
    }
}

@Suite struct TypedQuantityTests {
    @Test func piecesAndKilograms() throws {
        #expect(try TillSession.parseQuantity("3", unit: .piece) == .pieces(3))
        #expect(try TillSession.parseQuantity("0.35", unit: .kilogram) == .grams(350))
        #expect(try TillSession.parseQuantity("2", unit: .kilogram) == .grams(2000))
        for bad in ["0", "-2", "1.5", "10000", "x"] { #expect(throws: TillFailure.self) { try TillSession.parseQuantity(bad, unit: .piece) } }
        for bad in ["0", "0.0001", "-1", "1.2.3", "1000", "a.5"] { #expect(throws: TillFailure.self) { try TillSession.parseQuantity(bad, unit: .kilogram) } }
        #expect(TillSession.quantityText(.grams(350)) == "0.350" && TillSession.quantityText(.pieces(4)) == "4")
    }
}
