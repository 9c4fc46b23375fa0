/// A policy file that cannot be used, with where and why, as an editor of the YAML needs it.
public struct PolicyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 1-based line and column of the offending node; nil when the file as a whole is at fault.
    public var line: Int?
    public var column: Int?
    public var reason: String
    /// The file, for messages; empty for policies given as text.
    public var source: String

    public init(line: Int?, column: Int?, reason: String, source: String = "") {
        self.line = line
        self.column = column
        self.reason = reason
        self.source = source
    }

    public var description: String {
        let place = [source.isEmpty ? "moderation policy" : source, line.map(String.init), column.map(String.init)]
            .compactMap { $0 }.joined(separator: ":")
        return "\(place): \(reason); fix the policy file and load it again"
    }
}
