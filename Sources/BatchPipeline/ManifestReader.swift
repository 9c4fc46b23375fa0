import Foundation

/// Reads a manifest: one path or key per line, or a CSV whose header names a `path` or `key`
/// column (chosen by the `.csv` extension, so a plain list whose paths contain commas still works).
///
/// Blank lines and `#` comments are skipped in plain lists. Entries keep their order; that order
/// is what `--shard` splits by.
enum ManifestReader {
    static func entries(of path: String) throws(BatchError) -> [String] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .manifest(path: path, line: nil, reason: "cannot read it as UTF-8 text: \(error.localizedDescription)")
        }
        return path.lowercased().hasSuffix(".csv") ? try csvEntries(text, path: path) : plainEntries(text)
    }

    static func plainEntries(_ text: String) -> [String] {
        text.split(whereSeparator: \.isNewline).compactMap { line in
            let entry = line.trimmingCharacters(in: .whitespaces)
            return entry.isEmpty || entry.hasPrefix("#") ? nil : entry
        }
    }

    static func csvEntries(_ text: String, path: String) throws(BatchError) -> [String] {
        let rows = CSVRows.parse(text)
        guard let header = rows.first else { return [] }
        let names = header.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard let column = names.firstIndex(of: "path") ?? names.firstIndex(of: "key") else {
            throw .manifest(path: path, line: 1, reason: "the CSV header (\(header.joined(separator: ","))) has no 'path' or 'key' column")
        }
        var entries: [String] = []
        for (offset, row) in rows.dropFirst().enumerated() {
            if row.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
            guard column < row.count else {
                throw .manifest(path: path, line: offset + 2, reason: "the row has \(row.count) fields; the '\(names[column])' column is number \(column + 1)")
            }
            let entry = row[column].trimmingCharacters(in: .whitespaces)
            guard !entry.isEmpty else { throw .manifest(path: path, line: offset + 2, reason: "the '\(names[column])' field is empty") }
            entries.append(entry)
        }
        return entries
    }
}

/// RFC 4180 rows: quoted fields may hold commas, doubled quotes and line breaks.
enum CSVRows {
    static func parse(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var fieldStarted = false
        var characters = Array(text).makeIterator()
        var pending: Character?
        while let c = pending ?? characters.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    let next = characters.next()
                    if next == "\"" { field.append("\"") } else { quoted = false; pending = next }
                } else {
                    field.append(c)
                }
                continue
            }
            switch c {
            case "\"" where !fieldStarted:
                quoted = true
                fieldStarted = true
            case ",":
                row.append(field)
                field = ""
                fieldStarted = false
            case "\n", "\r\n", "\r":
                row.append(field)
                rows.append(row)
                row = []
                field = ""
                fieldStarted = false
            default:
                field.append(c)
                fieldStarted = true
            }
        }
        if fieldStarted || !row.isEmpty {
            row.append(field)
            rows.append(row)
        }
        return rows
    }
}
