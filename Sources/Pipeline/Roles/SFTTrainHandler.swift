import Artifacts
import Foundation
import Messaging
import Model
import ReasonerData
import State
import Training

/// The SFT trainer: runs a supervised job (caption pretraining or an SFT mix) under the job's lease with
/// `SFTTrainer`, which resumes from the job's own last checkpoint when the job comes back after a crash. Steps stream
/// into the run's events (`train.step`); the completion is fenced by the lease, so a worker that lost it records
/// nothing. Bad settings or data dead-letter the job with the reason.
public struct SFTTrainHandler: MessageHandler {
    /// The artifacts volume.
    public let artifacts: ArtifactStore
    /// Leases and progress.
    public let store: any StateStore
    /// Steps between progress events.
    public let progressEvery: Int
    /// The job lease's time to live: a trainer that dies holds its job this long at most (renewed every third).
    public let leaseMilliseconds: Int

    /// A trainer over an artifacts volume.
    public init(artifacts: ArtifactStore, store: any StateStore, progressEvery: Int = 10,
                leaseMilliseconds: Int = 60_000) {
        self.artifacts = artifacts
        self.store = store
        self.progressEvery = progressEvery
        self.leaseMilliseconds = leaseMilliseconds
    }

    public func handle(_ job: SFTTrainJob, context: HandlerContext) async throws -> HandlerOutcome {
        do {
            try job.optimization.validate()
        } catch {
            throw HandlerError.permanent("\(job.name): \(error)")
        }
        let output = try artifacts.path(of: job.output)
        let sources = try job.sources.map {
            MixSource(name: $0.name, rows: try artifacts.path(of: $0.rows), repeats: $0.repeats)
        }
        let imageRoot = try artifacts.path(of: job.imageRoot)
        let validation = try job.validation.map { try artifacts.path(of: $0) }
        let start = try job.start.map { try artifacts.path(of: $0) }
        let corpus = try job.fresh.map { try $0.corpus.map { try artifacts.path(of: $0) } } ?? []
        let work = TrainingWork(store: store, runID: context.runID, job: job.name,
                                every: progressEvery, steps: job.optimization.steps)
        let (summary, lease) = try await LeasedJob.handle(job: job.name, context: context, store: store,
                                                                 ttlMilliseconds: leaseMilliseconds) { _ in
            try await work.run { observer in
                try Self.permanentOnBadData(job.name) {
                    let base = try start ?? Self.freshStudent(job, corpus: corpus, output: output)
                    return try SFTTrainer.run(SFTJob(start: base, sources: sources, imageRoot: imageRoot,
                                                     validation: validation, validationLimit: job.validationLimit,
                                                     optimization: job.optimization, output: output),
                                              onStep: observer)
                }
            }
        }
        for problem in summary.skippedRows.prefix(20) {
            context.logger.warning("row skipped", metadata: ["job": "\(job.name)", "problem": "\(problem)"])
        }
        let counters = StateKeys.counters(context.runID)
        var done = ["kind": "train.done", "job": job.name, "steps": String(summary.steps),
                    "checkpoint": job.output.path, "rows_skipped": String(summary.skippedRows.count)]
        done["final_loss"] = summary.finalLoss.map { String(format: "%.4f", $0) }
        done["validation_loss"] = summary.validationLoss.map { String(format: "%.4f", $0) }
        let finished = "done: \(summary.steps) steps" + ((done["loss"] ?? done["final_loss"]).map { ", loss \($0)" } ?? "")
        return HandlerOutcome(
            result: ["checkpoint": job.output.path, "steps": String(summary.steps)],
            increments: [CounterIncrement(key: counters, field: "train_jobs", delta: 1),
                         CounterIncrement(key: counters, field: "train_rows_skipped", delta: summary.skippedRows.count)],
            records: [RecordUpdate(key: StateKeys.training(context.runID), fields: [job.name: finished])],
            events: [StreamAppend(stream: StateKeys.events(context.runID), fields: done)],
            fence: lease)
    }

    /// Runs `body`, turning the trainer's errors that no retry can fix into ``HandlerError/permanent(_:)``.
    static func permanentOnBadData<T>(_ job: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as TrainingError where error.isPermanent {
            throw HandlerError.permanent("\(job): \(error)")
        }
    }

    /// The starting point of a job without one: a fresh student in `<output>-init` (made once; the tokenizer is
    /// trained on the corpus rows' text).
    static func freshStudent(_ job: SFTTrainJob, corpus: [String], output: String) throws -> String {
        guard let spec = job.fresh else {
            throw HandlerError.permanent("\(job.name) names neither a start checkpoint nor a fresh student")
        }
        let folder = URL(fileURLWithPath: output + "-init")
        if FileManager.default.fileExists(atPath: folder.appendingPathComponent(StudentCheckpoint.weightsFile).path) {
            return folder.path
        }
        try StudentCheckpoint.createFresh(corpus: try SuiteRows.corpus(paths: corpus),
                                          vocabularySize: spec.vocabularySize,
                                          seed: spec.seed, config: {
                                              spec.scale.config(vocabularySize: $0, contextLength: spec.contextLength)
                                          }, to: folder)
        return folder.path
    }
}
