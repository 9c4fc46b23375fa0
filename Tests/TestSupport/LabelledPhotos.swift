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
    /// Throws, never an empty list, when the file is missing or lists nothing.
    public static var all: [LabelledPhoto] {
        get throws { try loaded.get() }
    }

    private static let loaded: Result<[LabelledPhoto], TestDataMissing> = {
        let file = TestPaths.sharedImage("labels.csv")
        let remedy = "the shared photos belong in ../shared/images (or set LENSCALE_SHARED)"
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { return .failure(TestDataMissing(file: file, remedy: remedy)) }
        var rows = text.split(whereSeparator: \.isNewline).map { parseCSVLine(String($0)) }
        guard let header = rows.first,
              let fileColumn = header.firstIndex(of: "file"),
              let classColumn = header.firstIndex(of: "acceptable_class_indices") else {
            return .failure(TestDataMissing(file: file, remedy: "its header lacks the file and acceptable_class_indices columns"))
        }
        rows.removeFirst()
        let photos = rows.compactMap { row -> LabelledPhoto? in
            guard row.count > max(fileColumn, classColumn) else { return nil }
            let classes = row[classColumn].split(separator: ";").compactMap { Int($0) }
            return LabelledPhoto(file: row[fileColumn], acceptable: Set(classes))
        }
        return photos.isEmpty ? .failure(TestDataMissing(file: file, remedy: "it lists no photo")) : .success(photos)
    }()

    /// The photo called `file`; throws when labels.csv does not list it.
    public static func named(_ file: String) throws -> LabelledPhoto {
        guard let photo = try all.first(where: { $0.file == file }) else {
            throw TestDataMissing(file: TestPaths.sharedImage(file), remedy: "not listed in labels.csv")
        }
        return photo
    }

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
