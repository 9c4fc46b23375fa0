/// Why a shared hash list could not be read, with the 1-based line it failed on.
public struct HashListError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Problem: Sendable, Hashable {
        /// Not `kind.hexLength` hex digits.
        case badHash(String, kind: HashBank.Kind)
        /// A CSV file without a `hash` column in its first line.
        case missingHashColumn
        /// A quoted CSV field that never closes.
        case unterminatedQuote
        /// A CSV row with fewer fields than the header's `hash` column needs.
        case missingField
    }

    public var line: Int
    public var problem: Problem

    public init(line: Int, problem: Problem) {
        self.line = line
        self.problem = problem
    }

    public var description: String {
        switch problem {
        case let .badHash(text, kind):
            "line \(line): \"\(text.prefix(80))\" is not a \(kind.rawValue) hash (\(kind.hexLength) hex digits)"
        case .missingHashColumn: "line \(line): the CSV header needs a \"hash\" column"
        case .unterminatedQuote: "line \(line): a quoted field is not closed"
        case .missingField: "line \(line): the row has no value in the hash column"
        }
    }
}

extension HashBank {
    /// Parses the plain-text form: one hex hash a line, optionally `,label`; blank lines and
    /// lines starting with `#` are skipped. Hashes are lowercased.
    public static func parsePlainText(_ text: String, kind: Kind) throws(HashListError) -> [Entry] {
        var entries: [Entry] = []
        for (offset, rawLine) in lines(text).enumerated() {
            let line = rawLine.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") { continue }
            let comma = line.firstIndex(of: ",")
            let hash = String(line[..<(comma ?? line.endIndex)]).trimmingWhitespace()
            let label = comma.map { String(line[line.index(after: $0)...]).trimmingWhitespace() }
            entries.append(Entry(hash: try validated(hash, kind: kind, line: offset + 1), label: label?.isEmpty == true ? nil : label))
        }
        return entries
    }

    /// Parses CSV (RFC 4180 quoting) whose header names a `hash` column and optionally a `label` one.
    public static func parseCSV(_ text: String, kind: Kind) throws(HashListError) -> [Entry] {
        var entries: [Entry] = []
        var hashColumn: Int?, labelColumn: Int?
        for (offset, rawLine) in lines(text).enumerated() {
            let number = offset + 1
            if rawLine.trimmingWhitespace().isEmpty { continue }
            let fields = try csvFields(rawLine, line: number)
            guard let column = hashColumn else {
                let names = fields.map { $0.trimmingWhitespace().lowercased() }
                guard let found = names.firstIndex(of: "hash") else { throw HashListError(line: number, problem: .missingHashColumn) }
                hashColumn = found
                labelColumn = names.firstIndex(of: "label")
                continue
            }
            guard column < fields.count else { throw HashListError(line: number, problem: .missingField) }
            let hash = try validated(fields[column].trimmingWhitespace(), kind: kind, line: number)
            let label = labelColumn.flatMap { $0 < fields.count ? fields[$0] : nil }
            entries.append(Entry(hash: hash, label: label?.isEmpty == true ? nil : label))
        }
        return entries
    }

    /// The plain-text form `parsePlainText` reads back.
    public func plainText() -> String {
        entries.map { entry in entry.label.map { "\(entry.hash),\($0)" } ?? entry.hash }.joined(separator: "\n") + "\n"
    }

    /// CSV with a `hash,label` header, labels quoted where they need it.
    public func csv() -> String {
        var out = "hash,label\n"
        for entry in entries {
            let label = entry.label ?? ""
            let quoted = label.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + label.replacingAll("\"", with: "\"\"") + "\"" : label
            out += "\(entry.hash),\(quoted)\n"
        }
        return out
    }

    static func validated(_ hash: String, kind: Kind, line: Int) throws(HashListError) -> String {
        let lower = hash.lowercased()
        guard lower.utf8.count == kind.hexLength, lower.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
            throw HashListError(line: line, problem: .badHash(hash, kind: kind))
        }
        return lower
    }

    /// Lines split on `\n`, a trailing `\r` dropped; a quoted CSV field cannot span lines here.
    static func lines(_ text: String) -> [Substring] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
    }

    static func csvFields(_ line: Substring, line number: Int) throws(HashListError) -> [String] {
        var fields: [String] = [], field = "", quoted = false, index = line.startIndex
        while index < line.endIndex {
            let c = line[index]
            if quoted {
                if c == "\"" {
                    let next = line.index(after: index)
                    if next < line.endIndex, line[next] == "\"" { field.append("\""); index = next } else { quoted = false }
                } else {
                    field.append(c)
                }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                fields.append(field); field = ""
            } else {
                field.append(c)
            }
            index = line.index(after: index)
        }
        if quoted { throw HashListError(line: number, problem: .unterminatedQuote) }
        fields.append(field)
        return fields
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[first...last])
        return String(view)
    }

    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}
