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
        do {
            try job.optimization.validate()
        } catch {
            throw HandlerError.permanent("\(job.name): \(error)")
        }
        let resolved = DPOJob(start: try artifacts.path(of: job.start), pairs: try artifacts.path(of: job.pairs),
                              imageRoot: try artifacts.path(of: job.imageRoot), objective: job.objective,
                              maxWords: job.maxWords, optimization: job.optimization,
                              output: try artifacts.path(of: job.output))
        let work = TrainingWork(store: store, runID: context.runID, job: job.name,
                                every: progressEvery, steps: job.optimization.steps)
        let (summary, lease) = try await LeasedJob.handle(job: job.name, context: context, store: store,
                                                                 ttlMilliseconds: leaseMilliseconds) { _ in
            try await work.run { observer in
                try SFTTrainHandler.permanentOnBadData(job.name) { try DPOTrainer.run(resolved, onStep: observer) }
            }
        }
        for problem in summary.skippedRows.prefix(20) {
            context.logger.warning("pair skipped", metadata: ["job": "\(job.name)", "problem": "\(problem)"])
        }
        let counters = StateKeys.counters(context.runID)
        var done = ["kind": "train.done", "job": job.name, "steps": String(summary.steps),
                    "pairs": String(summary.pairs), "checkpoint": job.output.path]
        for (name, value) in summary.finalMetrics where name.hasPrefix("rewards/") || name == "loss" {
            done[name] = String(format: "%.4f", value)
        }
        let finished = "done: \(summary.steps) steps" + ((done["loss"] ?? done["final_loss"]).map { ", loss \($0)" } ?? "")
        return HandlerOutcome(
            result: ["checkpoint": job.output.path, "steps": String(summary.steps), "pairs": String(summary.pairs)],
            increments: [CounterIncrement(key: counters, field: "train_jobs", delta: 1),
                         CounterIncrement(key: counters, field: "dpo_pairs_skipped", delta: summary.skippedRows.count)],
            records: [RecordUpdate(key: StateKeys.training(context.runID), fields: [job.name: finished])],
            events: [StreamAppend(stream: StateKeys.events(context.runID), fields: done)],
            fence: lease)
    }
}
