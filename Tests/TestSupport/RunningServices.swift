import ServiceLifecycle

/// Runs `services` beside `body` and stops them when it returns (or throws), as a process's
/// `ServiceGroup` would around its work: for tests that use something whose background half is a
/// service (a PostgreSQL queue's wake-ups).
public func withRunning<T>(_ services: [(any Service)?], _ body: () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: Void.self) { group in
        for case let service? in services {
            group.addTask { try await service.run() }
        }
        defer { group.cancelAll() }
        return try await body()
    }
}
