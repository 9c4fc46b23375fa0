import AsyncHTTPClient
import Foundation

/// Where a store lives, as users write it on the command line or in configuration:
/// `/srv/lenscale`, `file:///srv/lenscale` or `s3://bucket/prefix?endpoint=…`.
public enum ObjectStoreLocation: Sendable, Equatable {
    case fileSystem(root: URL)
    case s3(S3Configuration)

    /// Parses `text`; relative paths are resolved against the current directory now, so the
    /// location does not change meaning if the process later changes directory.
    public init(parsing text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(StorageError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else {
            throw .invalidConfiguration("the store location is empty: give a folder, file:///path or s3://bucket/prefix")
        }
        // A scheme is letters (then letters, digits, '+', '-', '.') before "://"; anything else,
        // such as a folder whose name happens to contain "://", is a path.
        let scheme = trimmed.firstRange(of: "://").map { trimmed[..<$0.lowerBound].lowercased() }
            .flatMap { $0.first?.isLetter == true && $0.allSatisfy { $0.isLetter || $0.isNumber || "+-.".contains($0) } ? $0 : nil }
        switch scheme {
        case nil:
            self = .fileSystem(root: URL(fileURLWithPath: trimmed).standardizedFileURL)
        case "file":
            guard let url = URL(string: trimmed), url.host.map({ $0.isEmpty || $0 == "localhost" }) ?? true,
                  !url.path.isEmpty else {
                throw .invalidConfiguration("'\(text)' is not a local file URL: write file:///absolute/path")
            }
            self = .fileSystem(root: URL(fileURLWithPath: url.path).standardizedFileURL)
        case "s3":
            self = .s3(try S3Configuration(url: trimmed, environment: environment))
        case let other?:
            throw .invalidConfiguration("unsupported store scheme '\(other)://' in '\(text)': use a folder, file:// or s3://")
        }
    }

    /// The store this location names, over `httpClient` for S3 (see `S3Store.init`).
    public func makeStore(httpClient: HTTPClient) -> any ObjectStore {
        switch self {
        case .fileSystem(let root): FileSystemStore(root: root)
        case .s3(let configuration): S3Store(configuration: configuration, httpClient: httpClient)
        }
    }

    /// Runs `body` with the store this location names; an S3 store's HTTP client is created for
    /// the scope and shut down when it ends, also when `body` throws.
    public func withStore<T>(_ body: (any ObjectStore) async throws -> T) async throws -> T {
        switch self {
        case .fileSystem(let root):
            return try await body(FileSystemStore(root: root))
        case .s3(let configuration):
            return try await HTTPClient.withHTTPClient(configuration: S3Store.httpConfiguration) { client in
                try await body(S3Store(configuration: configuration, httpClient: client))
            }
        }
    }
}

/// Parses `location` and runs `body` with its store: the one call the CLI and batch jobs need.
public func withObjectStore<T>(
    _ location: String, environment: [String: String] = ProcessInfo.processInfo.environment,
    _ body: (any ObjectStore) async throws -> T
) async throws -> T {
    try await ObjectStoreLocation(parsing: location, environment: environment).withStore(body)
}
