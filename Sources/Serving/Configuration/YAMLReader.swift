import Yams

/// A typed walk over a YAML node that names the key and the line of every mistake.
///
/// Decodable would say "keyNotFound" without a line, and silently ignore unknown keys; a
/// configuration a human edits deserves "line 12: models[0].batcher.max_batch_sise is not a
/// known key".
struct YAMLReader {
    let node: Node
    let path: String

    var line: String { node.mark.map { "line \($0.line)" } ?? "the configuration" }

    func fail(_ reason: String) -> ConfigurationError {
        .invalid("\(line): \(path.isEmpty ? "the document" : path) \(reason)")
    }

    /// The mapping's entries by key, after checking that every key is one of `known`.
    func mapping(known: Set<String>) throws(ConfigurationError) -> [String: YAMLReader] {
        if case .scalar(let scalar) = node, scalar.string.isEmpty || scalar.string == "~" || scalar.string == "null" { return [:] }
        guard let mapping = node.mapping else { throw fail("must be a mapping of keys to values") }
        var entries: [String: YAMLReader] = [:]
        for (key, value) in mapping {
            guard let name = key.string else { throw YAMLReader(node: key, path: path).fail("has a key that is not text") }
            let child = YAMLReader(node: value, path: path.isEmpty ? name : "\(path).\(name)")
            guard known.contains(name) else {
                throw YAMLReader(node: key, path: child.path).fail("is not a known key; known keys here: \(known.sorted().joined(separator: ", "))")
            }
            entries[name] = child
        }
        return entries
    }

    func sequence() throws(ConfigurationError) -> [YAMLReader] {
        guard let sequence = node.sequence else { throw fail("must be a list") }
        return sequence.enumerated().map { YAMLReader(node: $1, path: "\(path)[\($0)]") }
    }

    func string() throws(ConfigurationError) -> String {
        guard let scalar = node.scalar else { throw fail("must be text") }
        return scalar.string
    }

    /// A decimal whole number (`_` allowed between digits). Why not Yams' `node.int`: it also
    /// takes YAML 1.1's base-60 form (`1:30`), and multiplies such a value out without overflow
    /// checks, so `port: 0:0:0:0:0:0:0:0:0:0:0:0` trapped inside Yams.
    func int(in range: ClosedRange<Int> = Int.min...Int.max) throws(ConfigurationError) -> Int {
        guard let scalar = node.scalar, let value = Self.decimal(scalar.string) else { throw fail("must be a whole number") }
        guard range.contains(value) else { throw fail("must be within \(range.lowerBound)...\(range.upperBound)") }
        return value
    }

    static func decimal(_ text: String) -> Int? {
        let digits = text.filter { $0 != "_" }
        guard !text.hasPrefix("_"), !text.hasSuffix("_"), digits.count <= 20 else { return nil }
        return Int(digits)
    }

    func bool() throws(ConfigurationError) -> Bool {
        guard let value = node.bool else { throw fail("must be true or false") }
        return value
    }
}
