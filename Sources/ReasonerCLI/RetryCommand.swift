import ArgumentParser
import Artifacts
import Foundation
import Pipeline
import State

/// `reasoner retry RUN [--stage S]`: resumes a failed run once its cause is fixed.
struct RetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry", abstract: "Resume a failed run at its failed stage (or --stage) once the cause is fixed.",
        discussion: """
            The stage's finished messages stay done; its unfinished ones are re-issued. With --stage, the run \\
            resumes at that stage instead (an earlier one re-runs only what has no done-mark). Redis from \\
            REASONER_REDIS_URL; the run's definition from REASONER_ARTIFACTS.
            """)

    @Argument(help: "The run id.")
    var runID: String

    @Option(help: "The stage to resume at (default: the one that failed).")
    var stage: String?

    func run() async throws {
        let store = try RedisStateStore(configuration: try RedisConfiguration.fromEnvironment())
        defer { store.close() }
        if let stage {
            guard let record = try await RunRecord.read(runID, from: store) else {
                throw ValidationError("there is no run \(runID)")
            }
            let artifacts = try ArtifactStore(root: try FleetConnections.artifactsRoot())
            let stages = try PipelinePlanner.forRun(record, artifacts: artifacts).stages
            guard stages.contains(stage) else {
                throw ValidationError("run \(runID) has no stage \(stage); its stages: \(stages.joined(separator: ", "))")
            }
        }
        do {
            let record = try await RunRetry.retry(runID, stage: stage, store: store)
            print("run \(runID): running again at \(record.stage ?? "?") (attempt \(record.attempt))")
        } catch let refusal as RunRetry.Refusal {
            throw ValidationError(refusal.description)
        }
    }
}
