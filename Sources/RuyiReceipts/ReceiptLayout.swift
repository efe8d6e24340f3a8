/// Lays blocks out in printed columns: Chinese names and prices stay aligned, long names wrap, amounts right-align.
struct ReceiptLayout {
    let columns: Int
    let text: GB18030Text

    func layout(_ document: ReceiptDocument) -> [LayoutItem] {
        var items: [LayoutItem] = []
        items.reserveCapacity(document.blocks.count + 8)
        for block in document.blocks {
            switch block {
            case let .text(s, align, style):
                let width = style.doubleWidth ? columns / 2 : columns
                for line in wrap(text.cells(s), width) {
                    let used = line.reduce(0) { $0 + $1.width }
                    let indent = switch align {
                    case .left: 0
                    case .center: (width - used) / 2
                    case .right: width - used
                    }
                    items.append(.line(LayoutLine(indent: indent, cells: line, style: style)))
                }
            case let .pair(label, amount, style):
                let width = style.doubleWidth ? columns / 2 : columns
                let right = text.cells(amount)
                let rightWidth = right.reduce(0) { $0 + $1.width }
                var lines = wrap(text.cells(label), width)
                if lines.isEmpty { lines = [[]] }
                let lastWidth = lines[lines.count - 1].reduce(0) { $0 + $1.width }
                if lastWidth + 1 + rightWidth <= width {
                    let gap = width - lastWidth - rightWidth
                    lines[lines.count - 1] += [Cell](repeating: .space, count: gap) + right
                    for l in lines { items.append(.line(LayoutLine(indent: 0, cells: l, style: style))) }
                } else {
                    for l in lines { items.append(.line(LayoutLine(indent: 0, cells: l, style: style))) }
                    for l in wrap(right, width) {
                        items.append(.line(LayoutLine(indent: width - l.reduce(0) { $0 + $1.width }, cells: l, style: style)))
                    }
                }
            case let .rule(c):
                let cell = text.cells(String(c.prefix(1))).first ?? Cell.space
                items.append(.line(LayoutLine(indent: 0, cells: [Cell](repeating: cell, count: columns / cell.width), style: .normal)))
            case .blank:
                items.append(.line(LayoutLine(indent: 0, cells: [], style: .normal)))
            case let .qr(data, ec):
                items.append(.qr(data, ec))
            case let .barcode(code):
                items.append(.barcode(code))
            case let .lineSpacing(dots):
                items.append(.lineSpacing(dots))
            case let .feed(n):
                items.append(.feed(n))
            }
        }
        return items
    }

    /// Greedy wrap by printed width. A line breaks after its last space when that keeps more than half the line;
    /// otherwise (Chinese text has no spaces) at the width. A double-width character never straddles two lines.
    func wrap(_ cells: [Cell], _ width: Int) -> [[Cell]] {
        guard !cells.isEmpty else { return [] }
        var lines: [[Cell]] = []
        var start = 0
        while start < cells.count {
            var used = 0, end = start
            while end < cells.count && used + cells[end].width <= width {
                used += cells[end].width
                end += 1
            }
            if end == start { end = start + 1 }   // a character wider than the line: print it anyway
            if end < cells.count, let space = cells[start..<end].lastIndex(where: { $0.scalar == " " }), space - start > (end - start) / 2 {
                lines.append(Array(cells[start..<space]))
                start = space + 1
            } else {
                lines.append(Array(cells[start..<end]))
                start = end
            }
            while start < cells.count && cells[start].scalar == " " && start > 0 { start += 1 }   // no leading spaces after a break
        }
        return lines
    }
}
