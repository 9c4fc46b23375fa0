import ArgumentParser
import Catalog
import Classification
import Foundation
import Inference
import Moderation

/// `lenscale moderate`: check a policy file, and measure the moderation cascade.
struct ModerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "moderate",
        abstract: "Check moderation policies and measure the moderation cascade.",
        subcommands: [Check.self, Bench.self]
    )

    /// Loads a policy against the installed models' class names.
    static func policy(_ path: String, manifest: ModelManifest) throws -> ModerationPolicy {
        do {
            return try ModerationPolicy.load(
                contentsOf: URL(fileURLWithPath: path),
                detectorLabels: try manifest.model(named: "nudenet-320n").loadLabels(),
                imagenetLabels: try manifest.model(named: "efficientnet-lite2").loadLabels())
        } catch {
            throw CLIError("\(error)")
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a policy file; print its id and categories, or the line and reason it is wrong.")

        @Argument(help: "The policy YAML file.") var policy: String
        @OptionGroup var models: ModelOptions

        func run() async throws {
            let policy = try ModerateCommand.policy(self.policy, manifest: try models.manifest())
            print("policy \(policy.id): sample_rate \(policy.sampleRate)")
            for category in policy.categories {
                print("  \(category.name): \(category.detectorClasses.count) detector classes, \(category.imagenetClasses.count) ImageNet classes; "
                      + "escalate \(category.escalateAt), review \(category.reviewAt), block \(category.blockAt)")
            }
        }
    }
}
