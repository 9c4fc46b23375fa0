/// A plain-text table with columns padded to their widest cell.
struct TextTable {
    var columns: [String]
    var rows: [[String]] = []

    mutating func append(_ row: [String]) { rows.append(row) }

    func render() -> String {
        let all = [columns] + rows
        let widths = columns.indices.map { column in all.map { $0.count > column ? $0[column].count : 0 }.max() ?? 0 }
        return all.map { row in
            row.indices.map { i in i == row.count - 1 ? row[i] : row[i].padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}
