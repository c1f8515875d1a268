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
        let output = try artifacts.path(of: job.output)
        let sources = try job.sources.map {
            MixSource(name: $0.name, rows: try artifacts.path(of: $0.rows), repeats: $0.repeats)
        }
        let imageRoot = try artifacts.path(of: job.imageRoot)
        let validation = try job.validation.map { try artifacts.path(of: $0) }
        let start = try job.start.map { try artifacts.path(of: $0) }
        let corpus = try job.fresh.map { try $0.corpus.map { try artifacts.path(of: $0) } } ?? []
        let (summary, lease) = try await TrainingWork.leased(
            job: job.name, optimization: job.optimization, context: context, store: store, every: progressEvery,
            leaseMilliseconds: leaseMilliseconds) { observer in
            let base = try start ?? Self.freshStudent(job, corpus: corpus, output: output)
            return try SFTTrainer.run(SFTJob(start: base, sources: sources, imageRoot: imageRoot,
                                             validation: validation, validationLimit: job.validationLimit,
                                             optimization: job.optimization, output: output),
                                      onStep: observer)
        }
        let loss = summary.finalLoss.map { String(format: "%.4f", $0) }
        var fields = ["checkpoint": job.output.path, "rows_skipped": String(summary.skippedRows.count)]
        fields["final_loss"] = loss
        fields["validation_loss"] = summary.validationLoss.map { String(format: "%.4f", $0) }
        return TrainingWork.finished(job: job.name, steps: summary.steps, loss: loss, skipped: summary.skippedRows,
                                     skippedCounter: "train_rows_skipped", result: ["checkpoint": job.output.path],
                                     fields: fields, context: context, lease: lease)
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
