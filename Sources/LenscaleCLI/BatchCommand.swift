import ArgumentParser
import BatchPipeline
import Catalog
import Classification
import Foundation
import Inference
import Ingest
import Jobs
import Storage
import Submissions
import Workers

/// `lenscale batch`: labels and embeds a whole folder, manifest or bucket into files, resumably.
struct BatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Label and embed a folder, manifest or bucket into an output folder, resumably.",
        discussion: """
            SOURCE is a folder (walked recursively), a manifest (one path or key per line, or a .csv \
            with a 'path' or 'key' column; keys are read from --store) or s3://bucket/prefix.
            DIR gets labels.jsonl (the records of `classify --format jsonl`) or labels.csv, \
            embeddings.npy with embeddings.index.jsonl (row → sha256, path), failures.jsonl and a \
            checkpoint: rerunning the same command skips what is done, so a killed run loses at most \
            the batches in flight. Bad files are listed in failures.jsonl and do not stop the run or \
            change the exit status; errors that stop the whole run exit 1, and so do items the store \
            could not be reached for: they are not finished, so rerunning the command retries them.
            --shard I/N (or JOB_COMPLETION_INDEX with --shard-count / LENSCALE_SHARD_COUNT in a \
            Kubernetes Indexed Job) takes a deterministic share: by content hash for folders and \
            buckets, by line for manifests. Give each shard its own DIR.
            --from-queue runs no model here: it stores the images in the workspace (--data, \
            --catalog, --store) and enqueues them as one or more backfill batches for \
            `lenscale worker` processes; DIR gets batches.jsonl with the batch ids.
            """
    )

    @Argument(help: "A folder, a manifest file, or s3://bucket/prefix?endpoint=….")
    var source: String

    @Option(help: ArgumentHelp("The output folder; a rerun with the same folder resumes.", valueName: "dir"))
    var out: String

    enum Format: String, ExpressibleByArgument, CaseIterable { case jsonl, csv }
    enum DType: String, ExpressibleByArgument, CaseIterable { case float32, float16 }

    @Option(help: "Labels file format: jsonl or csv.")
    var format: Format = .jsonl

    @Option(help: "Element type of embeddings.npy: float32 or float16.")
    var embeddingDtype: DType = .float32

    @Option(help: "How many classes to keep per image.")
    var top = 5

    @Option(help: ArgumentHelp("Also upsert images, labels and embeddings into this catalog (a SQLite path or postgres://…).", valueName: "url"))
    var catalog: String?

    @Option(help: ArgumentHelp("The store a manifest's keys are read from (a folder, file:// or s3://…).", valueName: "url"))
    var store: String?

    @Option(help: ArgumentHelp("Take shard I of N (0-based), for example 0/4.", valueName: "I/N"))
    var shard: String?

    @Option(help: ArgumentHelp("The shard count when the index comes from JOB_COMPLETION_INDEX (default: $LENSCALE_SHARD_COUNT).", valueName: "N"))
    var shardCount: Int?

    @Option(help: "Files read and decoded at once (default: the core count).")
    var decodeWorkers: Int?

    @Option(help: "Model sessions running batches side by side (default: one per core); --threads sets each one's threads.")
    var sessions: Int?

    @Flag(help: "Enqueue the items for `lenscale worker` processes instead of labelling them here.")
    var fromQueue = false

    @Option(help: ArgumentHelp("With --from-queue: the workspace's data folder (default: $LENSCALE_DATA, else ./lenscale-data).", valueName: "dir"))
    var data: String?

    @OptionGroup var analysis: AnalysisOptions
    @OptionGroup var models: ModelOptions

    func validate() throws {
        guard top >= 1 else { throw ValidationError("--top must be at least 1") }
        if let decodeWorkers, decodeWorkers < 1 { throw ValidationError("--decode-workers must be at least 1") }
        if let sessions, sessions < 1 { throw ValidationError("--sessions must be at least 1") }
        if let shardCount, shardCount < 1 { throw ValidationError("--shard-count must be at least 1") }
        if shard != nil && shardCount != nil { throw ValidationError("give either --shard I/N or --shard-count N, not both") }
        guard !out.isEmpty else { throw ValidationError("--out must name a folder") }
        if fromQueue && (shard != nil || shardCount != nil) {
            throw ValidationError("--from-queue hands the work to the queue, which shares it among workers: drop --shard")
        }
        if data != nil && !fromQueue { throw ValidationError("--data applies to --from-queue only") }
    }

    func run() async throws {
        if fromQueue { return try await enqueue() }
        let shard: Shard
        let source: BatchSource
        do {
            if let text = self.shard {
                shard = try Shard(parsing: text)
            } else {
                shard = try Shard.fromEnvironment(count: shardCount) ?? .whole
            }
            source = try BatchSource(parsing: self.source, store: store)
        } catch {
            throw CLIError("\(error)")
        }
        let cores = ThreadSplit.availableCores
        let split = ThreadSplit.choose(cores: cores, decodeWorkers: decodeWorkers, sessions: sessions, threadsPerSession: analysis.threads)
        let manifest = try models.manifest()
        let inference = try ModelLoader.inference(manifest)
        var classifiers: [Classifier] = []
        for _ in 0..<split.sessions {
            classifiers.append(try ModelLoader.classifier(named: analysis.model, manifest: manifest, inference: inference,
                                                          threads: split.threadsPerSession, limits: analysis.limits))
        }
        let configuration = BatchConfiguration(
            batchSize: analysis.batch, decodeWorkers: split.decodeWorkers, top: top,
            format: format == .csv ? .csv : .jsonl, embeddingDType: embeddingDtype == .float16 ? .float16 : .float32, shard: shard)
        let pipeline: BatchPipeline
        do { pipeline = try BatchPipeline(classifiers: classifiers, configuration: configuration) } catch { throw CLIError("\(error)") }
        Terminal.error("lenscale batch: \(source), shard \(shard), \(analysis.model); \(split) on \(cores) cores\n")
        var progress: ProgressBar?
        func run(_ catalog: (any Catalog)?) async throws -> BatchSummary {
            defer { progress?.finish() }
            do {
                return try await pipeline.run(source, output: URL(fileURLWithPath: out), catalog: catalog) { event in
                    if progress == nil { progress = ProgressBar(total: event.total) }
                    while progress!.done < event.examined { progress!.advance() }
                }
            } catch {
                throw CLIError("\(error)")
            }
        }
        let summary: BatchSummary
        if let catalog {
            summary = try await CLIScope.catalog(catalog) { try await run($0) }
        } else {
            summary = try await run(nil)
        }

        let run = summary.run
        Terminal.error(String(
            format: "batch: %d labelled, %d duplicates, %d failed, %d left to other shards, %d done before; "
                + "%.2f s wall (%.1f images/s)\n"
                + "  CPU %.1f s: decode %.1f s (%.0f%%), model and the rest %.1f s; %d model batches; model waited %.2f s for decode; %@ on %d cores\n"
                + "  output: %@ (whole job: %d labelled, %d duplicates, %d failed)\n",
            run.classified, run.duplicates, run.failed, run.skipped, summary.resumed,
            summary.seconds, summary.imagesPerSecond,
            summary.cpuSeconds, summary.decodeCPUSeconds, summary.decodeShare * 100, summary.cpuSeconds - summary.decodeCPUSeconds,
            summary.batches, summary.modelWaitSeconds, split.description, cores,
            summary.output.path, summary.total.classified, summary.total.duplicates, summary.total.failed))
        if run.failed > 0 {
            Terminal.error("  bad files are listed with their reasons in \(summary.output.appendingPathComponent("failures.jsonl").path)\n")
        }
        if summary.unreachable > 0 {
            throw CLIError("\(summary.unreachable) items could not be read from the store (unreachable or timing out); they are not finished: rerun the same command once the store is back to retry them")
        }
    }
}

extension BatchCommand {
    /// `--from-queue`: every item stored in the workspace and enqueued as backfill jobs, in
    /// batches the size `BatchSubmitter` accepts; the batch ids go to DIR/batches.jsonl.
    func enqueue() async throws {
        let source: BatchSource
        do {
            switch try BatchSource(parsing: self.source, store: nil) {
            case .manifest(let path, _): source = .manifest(path: path, store: store)
            case let other: source = other
            }
        } catch {
            throw CLIError("\(error)")
        }
        let manifest = try models.manifest()
        let model: ModelSpec
        do { model = try manifest.model(named: analysis.model) } catch { throw CLIError("\(error)") }
        let location = WorkspaceLocation(dataDirectory: WorkspaceLocation.dataDirectory(data), catalog: catalog, store: store)
        try await CLIError.reporting {
            try await source.withStore { sourceStore in
                let items = try await source.items(store: sourceStore)
                try await CLIScope.workspace(location) { workspace in
                    let queue = try makeJobQueue(catalog: workspace.catalog)
                    try await submit(items, source: source, sourceStore: sourceStore, model: model, queue: queue, workspace: workspace)
                }
            }
        }
    }

    func submit(_ items: [BatchItem], source: BatchSource, sourceStore: (any ObjectStore)?, model: ModelSpec,
                queue: any JobQueue, workspace: Workspace) async throws {
        let submitter = BatchSubmitter(queue: queue, store: workspace.store, model: model.name, modelVersion: model.resultVersion,
                                       limits: analysis.limits)
        let outDirectory = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: outDirectory, withIntermediateDirectories: true)
        let log = outDirectory.appendingPathComponent("batches.jsonl")
        if !FileManager.default.fileExists(atPath: log.path) { _ = FileManager.default.createFile(atPath: log.path, contents: nil) }
        let handle = try FileHandle(forWritingTo: log)
        defer { try? handle.close() }
        handle.seekToEndOfFile()

        var queued = 0, refused = 0
        let chunk = min(submitter.maxItems, 1000)
        for start in stride(from: 0, to: items.count, by: chunk) {
            var uploads: [BatchUpload] = []
            for item in items[start..<min(start + chunk, items.count)] {
                switch (item.location, source) {
                case (.file(let path), _):
                    uploads.append(.file(path: path))
                case (.object(let key), .manifest):
                    uploads.append(.storedKey(key))  // the manifest's keys are in the workspace store
                case (.object(let key), _):
                    do {
                        uploads.append(.bytes(name: key, bytes: try await sourceStore!.get(key)))
                    } catch {
                        Terminal.error("lenscale: \(key): cannot read it: \(error)\n")
                        refused += 1
                    }
                }
            }
            guard !uploads.isEmpty else { continue }
            let receipt: BatchReceipt
            do { receipt = try await submitter.submit(uploads, priority: .backfill) } catch { throw CLIError("\(error)") }
            let failed = receipt.items.filter { $0.jobID == nil }
            for item in failed { Terminal.error("lenscale: \(item.name): \(item.reason ?? "refused")\n") }
            queued += receipt.items.count - failed.count
            refused += failed.count
            let line = "{\"batch\":\"\(receipt.id)\",\"items\":\(receipt.items.count),\"queued\":\(receipt.items.count - failed.count)}\n"
            handle.write(Data(line.utf8))
            Terminal.error("enqueued batch \(receipt.id): \(receipt.items.count - failed.count) of \(receipt.items.count) items\n")
        }
        try? handle.synchronize()
        Terminal.error("batch --from-queue: \(queued) items queued for `lenscale worker`, \(refused) refused; batch ids in \(log.path)\n")
    }
}
