import ArgumentParser

/// The `lenscale` command. `@main` lives here rather than in main.swift because an async root
/// command needs it outside main.swift on Linux.
@main
struct Lenscale: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lenscale",
        abstract: "Label, deduplicate, moderate and search images.",
        version: "0.1.0",
        subcommands: [ClassifyCommand.self, IngestCommand.self, DupesCommand.self, SimilarCommand.self, IndexCommand.self, PlanCommand.self, BatchCommand.self, ModelsCommand.self, ServeCommand.self, KeysCommand.self, ModerateCommand.self, WorkerCommand.self, QueueCommand.self]
    )
}
