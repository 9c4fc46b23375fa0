import Foundation

/// A generated variant from `.fixtures/fixtures.json`: the file and the shared photo it came from.
public struct Fixture: Sendable, Decodable, CustomStringConvertible {
    public let file: String
    public let source: String
    public let note: String
    public var url: URL { TestPaths.fixture(file) }
    public var description: String { file }

    /// Every fixture `make fixtures` wrote. Throws, never an empty list, when the manifest is
    /// missing or empty: a test parameterised over none would otherwise pass without a case.
    public static var all: [Fixture] {
        get throws { try loaded.get() }
    }

    private static let loaded: Result<[Fixture], TestDataMissing> = {
        let manifest = TestPaths.fixture("fixtures.json")
        guard let data = try? Data(contentsOf: manifest) else {
            return .failure(TestDataMissing(file: manifest, remedy: "run `make fixtures`"))
        }
        guard let fixtures = try? JSONDecoder().decode([Fixture].self, from: data), !fixtures.isEmpty else {
            return .failure(TestDataMissing(file: manifest, remedy: "it lists no fixture; run `make fixtures` again"))
        }
        return .success(fixtures)
    }()

    /// The fixture called `file`; throws when it is not in the manifest.
    public static func named(_ file: String) throws -> Fixture {
        guard let fixture = try all.first(where: { $0.file == file }) else {
            throw TestDataMissing(file: TestPaths.fixture(file), remedy: "not in fixtures.json; run `make fixtures`")
        }
        return fixture
    }
}

/// Bytes of a file, for tests that feed decoders directly.
public func bytes(of url: URL) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: url))
}

/// A data file the tests need is absent or empty: a failure with the way to make it, never a
/// silently empty set of cases.
public struct TestDataMissing: Error, CustomStringConvertible {
    public let file: URL
    public let remedy: String
    public var description: String { "\(file.path) is missing or empty: \(remedy)" }

    public init(file: URL, remedy: String) {
        self.file = file
        self.remedy = remedy
    }
}
