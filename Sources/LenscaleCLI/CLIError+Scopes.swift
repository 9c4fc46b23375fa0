import ArgumentParser
import Catalog
import Ingest

extension CLIError {
    /// Runs `body`, turning any error that is not already the CLI's (a `CLIError`, or an
    /// `ExitCode` chosen on purpose) into one line for the terminal.
    static func reporting<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as CLIError {
            throw error
        } catch let error as ExitCode {
            throw error
        } catch {
            throw CLIError("\(error)")
        }
    }
}

/// The scopes commands open their stores in, with the CLI's error reporting.
enum CLIScope {
    /// The catalog at `location`, migrated, for the duration of `body`.
    static func catalog<T>(_ location: String, _ body: (any Catalog) async throws -> T) async throws -> T {
        try await CLIError.reporting { try await withCatalog(location, body) }
    }

    /// The workspace at `location`, for the duration of `body`.
    static func workspace<T>(_ location: WorkspaceLocation, _ body: (Workspace) async throws -> T) async throws -> T {
        try await CLIError.reporting { try await Workspace.with(location, body) }
    }
}
