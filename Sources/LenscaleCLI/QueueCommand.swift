import ArgumentParser
import Catalog
import Foundation
import Ingest
import Jobs

/// `lenscale queue stats|dead|retry`: the job queue for operators.
struct QueueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue",
        abstract: "Inspect the job queue and retry dead jobs.",
        subcommands: [Stats.self, Dead.self, Retry.self]
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json }

    /// Opens only the catalog (no model, no store) and the queue on it.
    static func withQueue<T>(_ options: WorkspaceOptions, _ body: (any JobQueue) async throws -> T) async throws -> T {
        try await CLIScope.catalog(options.location.catalogLocation) { catalog in
            try await body(try makeJobQueue(catalog: catalog))
        }
    }

    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Jobs per state and the age of the oldest queued job.")
        @OptionGroup var workspace: WorkspaceOptions
        @Option(help: "Output format: table or json.") var format: Format = .table

        struct Output: Encodable {
            var counts: [String: Int]
            var oldestQueuedSeconds: Double?
            var expiredLeases: Int
            enum CodingKeys: String, CodingKey { case counts, oldestQueuedSeconds = "oldest_queued_seconds", expiredLeases = "expired_leases" }
        }

        func run() async throws {
            let stats = try await withQueue(workspace) { try await $0.stats() }
            switch format {
            case .json:
                let counts = Dictionary(uniqueKeysWithValues: stats.counts.map { ($0.key.rawValue, $0.value) })
                print(try json(Output(counts: counts, oldestQueuedSeconds: stats.oldestQueuedAge, expiredLeases: stats.expiredLeases)))
            case .table:
                var table = TextTable(columns: ["STATE", "JOBS"])
                for state in JobState.allCases { table.append([state.rawValue, String(stats.counts[state] ?? 0)]) }
                print(table.render(), terminator: "")
                print(stats.oldestQueuedAge.map { String(format: "oldest queued: %.1f s", $0) } ?? "oldest queued: none")
                if stats.expiredLeases > 0 { print("expired leases (claimable again): \(stats.expiredLeases)") }
            }
        }
    }

    struct Dead: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Jobs that ran out of attempts, newest first.")
        @OptionGroup var workspace: WorkspaceOptions
        @Option(help: "Output format: table or json.") var format: Format = .table
        @Option(help: "The most jobs to list.") var limit = 100

        struct Output: Encodable {
            var id: Int64
            var kind: String
            var key: String
            var attempts: Int
            var error: String?
        }

        func run() async throws {
            let jobs = try await withQueue(workspace) { try await $0.deadJobs(limit: limit) }
            switch format {
            case .json:
                print(try json(jobs.map { Output(id: $0.id, kind: $0.kind, key: $0.idempotencyKey, attempts: $0.attempts, error: $0.lastError) }))
            case .table:
                var table = TextTable(columns: ["ID", "KIND", "ATTEMPTS", "LAST ERROR"])
                for job in jobs { table.append([String(job.id), job.kind, String(job.attempts), job.lastError ?? ""]) }
                print(table.render(), terminator: "")
                Terminal.error("\(jobs.count) dead jobs\n")
            }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Queue dead jobs again with fresh attempts.")
        @OptionGroup var workspace: WorkspaceOptions
        @Argument(help: "Dead job ids (from `lenscale queue dead`).") var ids: [Int64] = []
        @Flag(help: "Retry every dead job.") var all = false

        func validate() throws {
            guard all != !ids.isEmpty else { throw ValidationError("give dead job ids or --all (not both)") }
        }

        func run() async throws {
            let count = try await withQueue(workspace) { try await $0.retryDead(ids: all ? nil : ids) }
            print("requeued \(count) dead job\(count == 1 ? "" : "s")")
            if !all, count < ids.count { Terminal.error("lenscale: \(ids.count - count) of the ids were not dead jobs\n") }
        }
    }
}
