import Foundation
import RuyiAPI

/// The menu's pages: what each shows, and what its numbered choices do.
extension MenuScreen {
    func main() {
        page(t("title"), [], [
            Choice(label: t("main.today"), action: { self.show(self.today) }),
            Choice(label: t("main.stock"), action: { self.show(self.stock) }),
            Choice(label: t("main.prices"), action: { self.show(self.prices) }),
            Choice(label: t("main.cashiers"), action: { self.show(self.cashiers) }),
            Choice(label: t("main.devices"), action: { self.show(self.devices) }),
            Choice(label: t("main.modules"), action: { self.show { self.page(self.t("main.modules"), [self.t("modules.none")], []) } }),
            Choice(label: t("main.sync"), action: { self.show { self.page(self.t("main.sync"), [self.t("sync.none")], []) } }),
        ])
    }

    func today() {
        var lines: [String] = []
        switch api.call("GET", "/v1/reports/x", as: ReportView.self) {
        case let .success(r):
            lines.append(t("today.sales", r.netTotal, "\(r.sales)"))
            if r.refunds > 0 { lines.append(t("today.refunds", "\(r.refunds)", r.refundsTotal)) }
            for (tender, amount) in r.byTender.sorted(by: { $0.key < $1.key }) {
                lines.append(t("today.tender", t("tender.\(tender)"), amount))
            }
            if let top = r.topProducts, !top.isEmpty {
                lines.append(t("today.top", top.prefix(3).map { "\($0.name) \($0.quantity)" }.joined(separator: "、")))
            }
            if let hours = r.byHour, !hours.isEmpty {
                lines.append(t("today.hours", hours.suffix(4).map { "\($0.hour)点 \($0.sales)笔" }.joined(separator: " ")))
            }
        case let .failure(e) where e.code == "ledger.no_open_shift":
            lines.append(t("today.closed"))
        case let .failure(e):
            lines.append(e.message)
        }
        page(t("main.today"), lines, [
            Choice(label: t("today.print"), action: {
                self.result(self.api.send("POST", "/v1/reports/x/print"), done: self.t("today.printed"))
            }),
            Choice(label: t("today.close"), action: closeShift),
            Choice(label: t("today.reprint"), action: {
                self.ask(self.t("reprint.which")) { n in
                    switch self.api.call("GET", "/v1/reports/z/\(n.isEmpty ? "last" : n)", as: ZReportView.self) {
                    case let .success(v):
                        self.result(self.api.send("POST", "/v1/reports/z/\(v.z)/print"), done: self.t("reprint.done", "\(v.z)"))
                        self.show { self.zPage(v) }
                    case let .failure(e): self.refused(e)
                    }
                    self.again()
                }
            }),
        ])
    }

    func closeShift() {
        guard case let .success(r) = api.call("GET", "/v1/reports/x", as: ReportView.self) else {
            say(t("today.closed"), error: true)
            return
        }
        ask(t("close.count")) { counted in
            guard let expected = Self.fen(r.expectedCash), let got = Self.fen(counted) else {
                self.say(self.t("close.count"), error: true)
                self.again()
                return
            }
            let diff = got - expected
            let words = diff == 0 ? self.t("close.even") : diff > 0 ? self.t("close.more", Self.yuan(diff)) : self.t("close.less", Self.yuan(-diff))
            self.body = [self.t("close.check", r.expectedCash, Self.yuan(got), words), self.t("close.final")]
            self.confirm {
                switch self.api.call("POST", "/v1/shift/close", ShiftCloseRequest(counted: ["cash": Self.yuan(got)]), as: ZReportView.self) {
                case let .success(z):
                    self.say(self.t("close.done", "\(z.z)", z.report.netTotal, z.variance["cash"] ?? "0.00"))
                    self.show { self.zPage(z) }
                case let .failure(e): self.refused(e)
                }
            }
        }
    }

    /// A closing report to read on the screen (the paper one has every figure).
    func zPage(_ z: ZReportView) {
        let r = z.report
        var lines = [t("z.sales", r.businessDate, r.netTotal, "\(r.sales)")]
        if r.refunds > 0 { lines.append(t("today.refunds", "\(r.refunds)", r.refundsTotal)) }
        for (tender, amount) in r.byTender.sorted(by: { $0.key < $1.key }) { lines.append(t("today.tender", t("tender.\(tender)"), amount)) }
        for (provider, amount) in (r.byProvider ?? [:]).sorted(by: { $0.key < $1.key }) { lines.append(t("z.provider", provider, amount)) }
        lines.append(t("z.cash", r.expectedCash, z.counted["cash"] ?? "0.00", z.variance["cash"] ?? "0.00"))
        if !z.closedBy.isEmpty { lines.append(t("z.by", z.closedBy)) }
        page(t("z.title", "\(z.z)"), lines, [])
    }

    func stock() {
        var lines: [String] = []
        if case let .success(low) = api.call("GET", "/v1/stock/low", as: LowStockView.self) {
            if low.items.isEmpty { lines.append(t("stock.none_low")) } else {
                lines.append(t("stock.low"))
                lines += low.items.prefix(6).map { t("stock.low_line", $0.name, "\($0.onHand)", "\($0.suggestedOrder)") }
            }
        }
        func move(_ kind: String) {
            ask(t("stock.scan")) { product in
                guard !product.isEmpty else { self.again(); return }
                self.ask(self.t("stock.quantity")) { q in
                    guard let n = Int64(q), n >= 0 else { self.say(self.t("stock.quantity"), error: true); self.again(); return }
                    let send = {
                        switch self.api.call("POST", "/v1/stock", StockRequest(kind: kind, product: product, quantity: n, note: "老板菜单"), as: StockView.self) {
                        case let .success(v): self.say(self.t("stock.done", v.name, "\(v.onHand)"))
                        case let .failure(e): self.refused(e)
                        }
                    }
                    if kind == "waste" {
                        let name = (try? self.api.call("GET", "/v1/products/\(product)", as: ProductDetailView.self).get())?.product.name ?? product
                        self.body = [self.t("stock.waste_check", name, "\(n)")]
                        self.confirm(send)
                    } else {
                        send()
                        self.again()
                    }
                }
            }
        }
        page(t("main.stock"), lines, [
            Choice(label: t("stock.receive"), action: { move("receive") }),
            Choice(label: t("stock.count"), action: { move("count") }),
            Choice(label: t("stock.waste"), action: { move("waste") }),
        ])
    }

    func prices() {
        page(t("main.prices"), [], [
            Choice(label: t("prices.find"), action: {
                self.ask(self.t("prices.what")) { q in
                    let query = q.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? q
                    switch self.api.call("GET", "/v1/catalog/search?q=\(query)", as: ProductsView.self) {
                    case let .success(v): self.body = v.products.isEmpty ? [self.t("prices.none")] : v.products.prefix(8).map { self.t("prices.found", $0.name, $0.price) }
                    case let .failure(e): self.refused(e)
                    }
                    self.mode = .choose
                }
            }),
            Choice(label: t("prices.change"), action: {
                self.ask(self.t("prices.scan")) { code in
                    guard case let .success(p) = self.api.call("GET", "/v1/products/\(code)", as: ProductDetailView.self) else {
                        self.say(self.t("prices.none"), error: true); self.again(); return
                    }
                    self.ask(self.t("prices.new", p.product.name, p.product.price)) { price in
                        guard let fen = Self.fen(price), fen > 0 else { self.say(self.t("add.price"), error: true); self.again(); return }
                        self.body = [self.t("prices.check", p.product.name, p.product.price, Self.yuan(fen))]
                        self.confirm {
                            self.result(self.api.send("POST", "/v1/products/\(p.product.id)/price", PriceRequest(price: Self.yuan(fen))),
                                        done: self.t("prices.changed", p.product.name, Self.yuan(fen)))
                        }
                    }
                }
            }),
            Choice(label: t("prices.add"), action: {
                self.ask(self.t("add.scan")) { code in
                    guard !code.isEmpty else { self.again(); return }
                    self.ask(self.t("add.name")) { name in
                        self.ask(self.t("add.price")) { price in
                            guard let fen = Self.fen(price), fen > 0, !name.isEmpty, !name.contains(","), !name.contains("\"") else {
                                self.say(self.t("add.price"), error: true); self.again(); return
                            }
                            self.body = [self.t("add.check", name, code, Self.yuan(fen))]
                            self.confirm {
                                // One row through the catalog import: the same checks as any import (the code's check digit too).
                                let csv = "sku,name,price,barcodes,unit\n\(code),\(name),\(Self.yuan(fen)),\(code),piece\n"
                                let reply = try? self.api.client.send("POST", "/v1/catalog/import?source=menu", body: Data(csv.utf8))
                                let view = reply.flatMap { try? WireCoding.decoder().decode(ImportView.self, from: $0.body) }
                                if let view, view.committed { self.say(self.t("add.done", name)) } else {
                                    let why = view?.badRows.first?.problems.first
                                        ?? reply.flatMap { try? WireCoding.decoder().decode(APIErrorBody.self, from: $0.body) }?.error.message ?? self.t("unreachable")
                                    self.say(why, error: true)
                                }
                            }
                        }
                    }
                }
            }),
        ])
    }

    func cashiers() {
        var lines: [String] = []
        switch api.call("GET", "/v1/cashiers", as: CashiersView.self) {
        case let .success(v):
            lines = v.cashiers.prefix(8).map {
                t("cashiers.list", $0.id, $0.name, $0.role == "owner" ? t("cashiers.owner") : $0.active ? "" : t("cashiers.off"))
            }
        case let .failure(e):
            refused(e)
        }
        page(t("main.cashiers"), lines, [
            Choice(label: t("cashiers.add"), action: {
                self.ask(self.t("cashiers.which")) { id in
                    self.ask(self.t("cashiers.name")) { name in
                        self.ask(self.t("cashiers.newpin"), secret: true) { pin in
                            self.result(self.api.send("POST", "/v1/cashiers", NewCashierRequest(cashier: id, name: name, role: "cashier", pin: pin)),
                                        done: self.t("done"))
                            self.again()
                        }
                    }
                }
            }),
            Choice(label: t("cashiers.pin"), action: {
                self.ask(self.t("cashiers.which")) { id in
                    self.ask(self.t("cashiers.newpin"), secret: true) { pin in
                        self.result(self.api.send("POST", "/v1/cashiers/\(id)/pin", PINResetRequest(pin: pin)), done: self.t("done"))
                        self.again()
                    }
                }
            }),
            Choice(label: t("cashiers.remove"), action: {
                self.ask(self.t("cashiers.which")) { id in
                    self.body = [self.t("cashiers.remove_check", id)]
                    self.confirm { self.result(self.api.send("DELETE", "/v1/cashiers/\(id)"), done: self.t("done")) }
                }
            }),
        ])
    }

    func devices() {
        var lines: [String] = []
        var scanners: [ScannerView] = []
        if case let .success(v) = api.call("GET", "/v1/devices", as: DevicesView.self) {
            scanners = v.scanners
            if v.scanners.isEmpty { lines.append(t("devices.no_scanner")) }
            for (i, s) in v.scanners.prefix(5).enumerated() {
                lines.append(t("devices.scanner", "\(i + 1) \(s.name)", s.state == "driving" ? t("state.driving") : t("state.other")))
            }
            lines.append(t("devices.printer", v.printerCode == "printer.ok" ? t("printer.ok") : v.printer, "\(v.receiptsWaiting)"))
            if v.needsAttention > 0 { lines.append(t("devices.attention", "\(v.needsAttention)")) }
        }
        page(t("main.devices"), lines, [
            Choice(label: t("devices.test"), action: { self.result(self.api.send("POST", "/v1/devices/printer/test"), done: self.t("devices.tested")) }),
            Choice(label: t("devices.assign"), action: {
                self.ask(self.t("devices.which")) { n in
                    guard let i = Int(n), (1...max(1, scanners.count)).contains(i), i <= scanners.count else { self.say(self.t("devices.no_scanner"), error: true); self.again(); return }
                    self.ask(self.t("devices.profile")) { profile in
                        self.result(self.api.send("POST", "/v1/devices/scanners/\(scanners[i - 1].identity)/assign", AssignRequest(profile: profile, confirmed: true)),
                                    done: self.t("done"))
                        self.again()
                    }
                }
            }),
        ])
    }
}
