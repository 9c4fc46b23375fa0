import Foundation

/// A generated variant from `.fixtures/fixtures.json`: the file and the shared photo it came from.
public struct Fixture: Sendable, Decodable, CustomStringConvertible {
    public let file: String
    public let source: String
    public let note: String
    public var url: URL { TestPaths.fixture(file) }
    public var description: String { file }

    public static let all: [Fixture] = {
        guard let data = try? Data(contentsOf: TestPaths.fixture("fixtures.json")) else { return [] }
        return (try? JSONDecoder().decode([Fixture].self, from: data)) ?? []
    }()

    public static func named(_ file: String) -> Fixture? { all.first { $0.file == file } }
}

/// Bytes of a file, for tests that feed decoders directly.
public func bytes(of url: URL) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: url))
}
