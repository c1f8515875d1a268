import Artifacts
import Foundation
import Messaging
import State
import Training

/// The DPO trainer: runs a preference job under the job's lease with `DPOTrainer` (reference log-probs computed once
/// and cached in the run folder, resumable from its last checkpoint), streaming TRL-style step metrics into the run's
/// events. Like the SFT trainer, its completion is fenced by the lease.
public struct DPOTrainHandler: MessageHandler {
    /// The artifacts volume.
    public let artifacts: ArtifactStore
    /// Leases and progress.
    public let store: any StateStore
    /// Steps between progress events.
    public let progressEvery: Int
    /// The job lease's time to live: a trainer that dies holds its job this long at most (renewed every third).
    public let leaseMilliseconds: Int

    /// A trainer over an artifacts volume.
    public init(artifacts: ArtifactStore, store: any StateStore, progressEvery: Int = 5,
                leaseMilliseconds: Int = 60_000) {
        self.artifacts = artifacts
        self.store = store
        self.progressEvery = progressEvery
        self.leaseMilliseconds = leaseMilliseconds
    }

    public func handle(_ job: DPOTrainJob, context: HandlerContext) async throws -> HandlerOutcome {
        let resolved = DPOJob(start: try artifacts.path(of: job.start), pairs: try job.pairs.map(artifacts.path(of:)),
                              imageRoot: try artifacts.path(of: job.imageRoot), objective: job.objective,
                              maxWords: job.maxWords, optimization: job.optimization,
                              output: try artifacts.path(of: job.output))
        let (summary, lease) = try await TrainingWork.leased(
            job: job.name, optimization: job.optimization, context: context, store: store, every: progressEvery,
            leaseMilliseconds: leaseMilliseconds) { observer in try DPOTrainer.run(resolved, onStep: observer) }
        var fields = ["pairs": String(summary.pairs), "checkpoint": job.output.path]
        for (name, value) in summary.finalMetrics where name.hasPrefix("rewards/") || name == "loss" {
            fields[name] = String(format: "%.4f", value)
        }
        return TrainingWork.finished(job: job.name, steps: summary.steps, loss: fields["loss"],
                                     skipped: summary.skippedRows, skippedCounter: "dpo_pairs_skipped",
                                     result: ["checkpoint": job.output.path, "pairs": String(summary.pairs)],
                                     fields: fields, context: context, lease: lease)
    }
}
