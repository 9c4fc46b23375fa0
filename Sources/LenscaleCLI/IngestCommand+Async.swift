import ArgumentParser
import Catalog
import Classification
import Foundation
import Ingest
import Jobs
import Storage
import Submissions
import Workers

/// `lenscale ingest --async`: validates and stores the files, enqueues them as one batch (the
/// same `BatchSubmitter` path as `POST /v1/batches`) and prints the batch id without waiting;
/// `lenscale worker` processes it.
extension IngestCommand {
    struct AsyncReceipt: Encodable {
        struct Item: Encodable {
            var index: Int
            var name: String
            var sha256: String?
            var state: String
            var reason: String?
        }
        var id: String
        var items: [Item]
    }

    func submitInBackground(_ files: [String], problems: Int) async throws {
        let manifest = try models.manifest()
        let spec: ModelSpecSummary
        do {
            let model = try manifest.model(named: analysis.model)
            spec = ModelSpecSummary(name: model.name, version: model.resultVersion)
        } catch {
            throw CLIError("\(error)")
        }
        let location = workspace.location
        let started = ContinuousClock.now
        let receipt = try await CLIError.reporting {
            try await withObjectStore(location.storeLocation) { store in
                try await CLIScope.catalog(location.catalogLocation) { catalog in
                    let queue = try makeJobQueue(catalog: catalog)
                    let submitter = BatchSubmitter(queue: queue, store: store, model: spec.name, modelVersion: spec.version,
                                                   limits: analysis.limits)
                    return try await submitter.submit(files.map { .file(path: $0) }, priority: .online)
                }
            }
        }
        let seconds = (ContinuousClock.now - started).seconds
        let rejected = receipt.items.filter { $0.state == .failed }
        for item in rejected { Terminal.error("lenscale: \(item.name): \(item.reason ?? "rejected")\n") }
        switch format {
        case .table:
            print(receipt.id)
        case .json, .jsonl:
            let encoder = JSONEncoder()
            encoder.outputFormatting = format == .json ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
            let output = AsyncReceipt(id: receipt.id, items: receipt.items.map {
                .init(index: $0.index, name: $0.name, sha256: $0.sha256, state: $0.state.rawValue, reason: $0.reason)
            })
            print(String(decoding: try encoder.encode(output), as: UTF8.self))
        }
        Terminal.error(String(format: "submitted batch %@ in %.2f s: %d queued, %d rejected\n", receipt.id, seconds,
                              receipt.items.count - rejected.count, rejected.count + problems))
        if !rejected.isEmpty || problems > 0 { throw ExitCode.failure }
    }
}

/// The two facts a batch records about its model; read from the manifest without loading it.
struct ModelSpecSummary {
    var name: String
    var version: String
}
