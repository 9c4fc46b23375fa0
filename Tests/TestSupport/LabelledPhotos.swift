import Foundation

/// One photo from `shared/images/labels.csv` with the ImageNet classes a good classifier may give it.
public struct LabelledPhoto: Sendable, CustomStringConvertible {
    public let file: String
    public let acceptable: Set<Int>
    public var url: URL { TestPaths.sharedImage(file) }
    public var description: String { file }
}

public enum LabelledPhotos {
    /// All photos listed in labels.csv, parsed with a small CSV reader that honours quotes.
    public static let all: [LabelledPhoto] = {
        guard let text = try? String(contentsOf: TestPaths.sharedImage("labels.csv"), encoding: .utf8) else { return [] }
        var rows = text.split(whereSeparator: \.isNewline).map { parseCSVLine(String($0)) }
        guard let header = rows.first else { return [] }
        rows.removeFirst()
        guard let fileColumn = header.firstIndex(of: "file"),
              let classColumn = header.firstIndex(of: "acceptable_class_indices") else { return [] }
        return rows.compactMap { row in
            guard row.count > max(fileColumn, classColumn) else { return nil }
            let classes = row[classColumn].split(separator: ";").compactMap { Int($0) }
            return LabelledPhoto(file: row[fileColumn], acceptable: Set(classes))
        }
    }()

    public static func named(_ file: String) -> LabelledPhoto? { all.first { $0.file == file } }

    static func parseCSVLine(_ line: String) -> [String] {
        var fields: [String] = []
        var field = ""
        var quoted = false
        var iterator = line.makeIterator()
        var pending: Character? = nil
        while let c = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { field.append("\"") } else { quoted = false; pending = next }
                    } else { quoted = false }
                } else { field.append(c) }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                fields.append(field); field = ""
            } else {
                field.append(c)
            }
        }
        fields.append(field)
        return fields
    }
}
