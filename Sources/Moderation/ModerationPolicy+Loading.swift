import Foundation
import Hashing
import Yams

extension ModerationPolicy {
    /// Reads a policy file; see `load(yaml:…)`.
    public static func load(
        contentsOf url: URL, detectorLabels: [String], imagenetLabels: [String]
    ) throws(PolicyError) -> ModerationPolicy {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw PolicyError(line: nil, column: nil, reason: "cannot read it: \(error.localizedDescription)", source: url.path)
        }
        do {
            return try load(yaml: text, detectorLabels: detectorLabels, imagenetLabels: imagenetLabels)
        } catch {
            var located = error
            located.source = url.path
            throw located
        }
    }

    /// Parses and checks a policy. Everything a typo could break is an error with its line and
    /// column: YAML syntax, unknown or missing keys, wrong types, thresholds outside [0, 1] or out
    /// of order (escalate ≤ review ≤ block), duplicate categories and class names the models do
    /// not have. A policy that silently ignored a misspelt class would never flag anything.
    ///
    /// Class names are matched against the labels files: NudeNet's exactly; ImageNet's as the
    /// whole line (`"revolver, six-gun, six-shooter"`), any one of its comma-separated synonyms
    /// (`revolver`) when that names a single class, or the class index.
    public static func load(yaml: String, detectorLabels: [String], imagenetLabels: [String]) throws(PolicyError) -> ModerationPolicy {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw Self.syntaxError(error, yaml: yaml)
        }
        guard let root, let top = root.mapping else {
            throw PolicyError(line: root?.mark?.line, column: root?.mark?.column,
                              reason: "the policy must be a mapping with version, sample_rate and categories")
        }
        let reader = PolicyReader(detectorLabels: detectorLabels, imagenetLabels: imagenetLabels)
        try reader.checkKeys(top, allowed: ["version", "sample_rate", "categories"], required: ["version", "categories"], in: "the policy")
        let versionNode = top["version"]!
        guard let version = versionNode.int, version >= 1 else {
            throw PolicyReader.error(versionNode, "version must be a positive integer, found '\(versionNode.string ?? "?")'")
        }
        let sampleRate = try top["sample_rate"].map { node throws(PolicyError) in try reader.rate(node, "sample_rate") } ?? 0
        let categoriesNode = top["categories"]!
        guard let categoryMap = categoriesNode.mapping, !categoryMap.isEmpty else {
            throw PolicyReader.error(categoriesNode, "categories must be a non-empty mapping of category name to its rules")
        }
        var categories: [Category] = []
        for (key, value) in categoryMap {
            guard let name = key.scalar?.string, !name.isEmpty,
                  name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
                throw PolicyReader.error(key, "a category name must be a plain word (letters, digits, _ or -)")
            }
            if categories.contains(where: { $0.name == name }) {
                throw PolicyReader.error(key, "category '\(name)' appears twice")
            }
            categories.append(try reader.category(name: name, value))
        }
        let hash = ContentHash(of: Array(yaml.utf8)).hex
        return ModerationPolicy(version: version, contentHash: hash, sampleRate: sampleRate, categories: categories)
    }

    private static func syntaxError(_ error: any Error, yaml text: String) -> PolicyError {
        if let yaml = error as? YamlError {
            switch yaml {
            case .duplicatedKeysInMapping(let duplicates, let context):
                // Yams marks the mapping; point at the second use of the key instead.
                let key = duplicates.first ?? ""
                let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
                let uses = lines.indices.filter { index in
                    index + 1 >= context.mark.line
                        && lines[index].drop(while: { $0 == " " }).hasPrefix("\(key):")
                }
                let line = uses.count > 1 ? uses[1] : nil
                let column = line.map { lines[$0].prefix(while: { $0 == " " }).count + 1 }
                return PolicyError(line: line.map { $0 + 1 } ?? context.mark.line, column: column ?? context.mark.column,
                                   reason: "'\(key)' appears twice in one mapping")
            case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
                 .composer(let context, let problem, let mark, _):
                let detail = context.map { "\($0.text) " } ?? ""
                return PolicyError(line: mark.line, column: mark.column, reason: "invalid YAML: \(detail)\(problem)")
            default:
                break
            }
        }
        return PolicyError(line: nil, column: nil, reason: "invalid YAML: \(error)")
    }
}

/// The checks behind `ModerationPolicy.load`, one node at a time.
struct PolicyReader {
    let detectorLabels: [String]
    let imagenetLabels: [String]
    /// ImageNet synonym → class indices, for names that are one synonym of a longer line.
    let imagenetSynonyms: [String: [Int]]

    init(detectorLabels: [String], imagenetLabels: [String]) {
        self.detectorLabels = detectorLabels
        self.imagenetLabels = imagenetLabels
        var synonyms: [String: [Int]] = [:]
        for (index, line) in imagenetLabels.enumerated() {
            for synonym in Set(line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }) {
                synonyms[synonym, default: []].append(index)
            }
        }
        imagenetSynonyms = synonyms
    }

    static func error(_ node: Node, _ reason: String) -> PolicyError {
        PolicyError(line: node.mark?.line, column: node.mark?.column, reason: reason)
    }

    func checkKeys(_ mapping: Node.Mapping, allowed: [String], required: [String], in place: String) throws(PolicyError) {
        var seen = Set<String>()
        for key in mapping.keys {
            guard let name = key.scalar?.string, allowed.contains(name) else {
                throw Self.error(key, "unknown key '\(key.string ?? "?")' in \(place); expected one of \(allowed.joined(separator: ", "))")
            }
            guard seen.insert(name).inserted else {
                throw Self.error(key, "'\(name)' appears twice in \(place)")
            }
        }
        for name in required where mapping[name] == nil {
            throw PolicyError(line: mapping.mark?.line, column: mapping.mark?.column, reason: "\(place) lacks '\(name)'")
        }
    }

    func fraction(_ node: Node, _ name: String) throws(PolicyError) -> Float {
        Float(try rate(node, name))
    }

    func rate(_ node: Node, _ name: String) throws(PolicyError) -> Double {
        guard node.scalar != nil, let value = node.float, value.isFinite else {
            throw Self.error(node, "\(name) must be a number from 0 to 1, found '\(node.string ?? "a \(node.kind)")'")
        }
        guard (0...1).contains(value) else {
            throw Self.error(node, "\(name) must be from 0 to 1, found \(value)")
        }
        return value
    }

    func category(name: String, _ node: Node) throws(PolicyError) -> ModerationPolicy.Category {
        guard let map = node.mapping else {
            throw Self.error(node, "category '\(name)' must be a mapping with its classes and thresholds")
        }
        let place = "category '\(name)'"
        try checkKeys(map, allowed: ["detector_classes", "imagenet_classes", "escalate_at", "review_at", "block_at"],
                      required: ["review_at", "block_at"], in: place)
        let detector = try map["detector_classes"].map { node throws(PolicyError) in try classList(node, in: place, resolve: detectorClass) } ?? []
        let imagenet = try map["imagenet_classes"].map { node throws(PolicyError) in try classList(node, in: place, resolve: imagenetClass) } ?? []
        if detector.isEmpty && imagenet.isEmpty {
            throw Self.error(node, "\(place) names no detector_classes or imagenet_classes, so it could never flag anything")
        }
        let review = try fraction(map["review_at"]!, "review_at")
        let block = try fraction(map["block_at"]!, "block_at")
        let escalate = try map["escalate_at"].map { node throws(PolicyError) in try fraction(node, "escalate_at") } ?? review
        guard review <= block else {
            throw Self.error(map["review_at"]!, "\(place): review_at (\(review)) must not exceed block_at (\(block))")
        }
        if let node = map["escalate_at"], escalate > review {
            throw Self.error(node, "\(place): escalate_at (\(escalate)) must not exceed review_at (\(review))")
        }
        return ModerationPolicy.Category(
            name: name, detectorClasses: detector, imagenetClasses: imagenet,
            escalateAt: escalate, reviewAt: review, blockAt: block)
    }

    func classList(_ node: Node, in place: String, resolve: (Node) throws(PolicyError) -> Int) throws(PolicyError) -> [Int] {
        guard let sequence = node.sequence else {
            throw Self.error(node, "\(place): a class list must be a YAML list, like [A, B]")
        }
        var indices: [Int] = []
        for item in sequence {
            let index = try resolve(item)
            if !indices.contains(index) { indices.append(index) }
        }
        return indices
    }

    func detectorClass(_ node: Node) throws(PolicyError) -> Int {
        guard let name = node.scalar?.string, let index = detectorLabels.firstIndex(of: name) else {
            throw Self.error(node, "unknown detector class '\(node.string ?? "?")'; NudeNet's are \(detectorLabels.joined(separator: ", "))")
        }
        return index
    }

    func imagenetClass(_ node: Node) throws(PolicyError) -> Int {
        guard let scalar = node.scalar else {
            throw Self.error(node, "an ImageNet class must be a name or an index")
        }
        if scalar.style == .plain, let index = Int(scalar.string) {
            guard imagenetLabels.indices.contains(index) else {
                throw Self.error(node, "ImageNet class index \(index) is outside 0…\(imagenetLabels.count - 1)")
            }
            return index
        }
        let name = scalar.string.trimmingCharacters(in: .whitespaces)
        let lines = imagenetLabels.indices.filter { imagenetLabels[$0] == name }
        if lines.count == 1 { return lines[0] }
        guard let matches = lines.count > 1 ? lines : imagenetSynonyms[name.lowercased()] else {
            throw Self.error(node, "unknown ImageNet class '\(name)'; use a line of imagenet_classes.txt, one of its synonyms, or its index")
        }
        guard matches.count == 1 else {
            let options = matches.map { "\($0) (\(imagenetLabels[$0]))" }.joined(separator: ", ")
            throw Self.error(node, "ImageNet class '\(name)' is ambiguous: it names \(options); give the index instead")
        }
        return matches[0]
    }
}

extension Node {
    /// For messages: what a node is when it is not what was expected.
    var kind: String {
        switch self {
        case .scalar: "scalar"
        case .mapping: "mapping"
        case .sequence: "list"
        case .alias: "alias"
        }
    }
}
