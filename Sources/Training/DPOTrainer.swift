import Foundation
import Model
import ReasonerData
import Tensor
import Tokenization

/// A DPO job: what the `dpo-trainer` worker and the experiment runner hand to `DPOTrainer.run`.
public struct DPOJob: Codable, Sendable, Equatable {
    /// The checkpoint training starts from; it is also the frozen reference.
    public var start: String
    /// Preference rows (`{"id", "image", "question", "chosen", "rejected"}` JSONL), read in order (a run's pairs
    /// come in one file per judged shard).
    public var pairs: [String]
    /// The folder image paths are relative to.
    public var imageRoot: String
    /// The loss.
    public var objective: DPOObjective
    /// Words kept of each response (the paper: 90; nil keeps all).
    public var maxWords: Int?
    /// Steps, batch (pairs per micro-batch), schedule.
    public var optimization: OptimizationConfig
    /// The run folder (`TrainingRunFolder`, plus `reference_logps.jsonl`).
    public var output: String

    /// A job.
    public init(start: String, pairs: [String], imageRoot: String, objective: DPOObjective = DPOObjective(),
                maxWords: Int? = 90, optimization: OptimizationConfig, output: String) {
        self.start = start
        self.pairs = pairs
        self.imageRoot = imageRoot
        self.objective = objective
        self.maxWords = maxWords
        self.optimization = optimization
        self.output = output
    }
}

/// What a DPO job did.
public struct DPOSummary: Codable, Sendable, Equatable {
    /// Optimizer steps taken in total.
    public var steps: Int
    /// Pairs trained on.
    public var pairs: Int
    /// Rows skipped, and why.
    public var skippedRows: [String]
    /// The last step's metrics (TRL names).
    public var finalMetrics: [String: Double]
    /// The final checkpoint folder.
    public var checkpoint: String
}

/// The reference model's log-probs of one pair, computed once before training.
struct ReferenceLogProbs: Codable, Equatable {
    var id: String
    var chosen: Double
    var rejected: Double
}

/// Direct preference optimisation of the student, resumable from its run folder.
///
/// The reference is the start checkpoint: its log-probs of every (truncated) chosen and rejected response are
/// computed once, before the first step, and cached in `reference_logps.jsonl`, so no second model is in memory
/// while training. Each micro-batch scores its pairs' chosen and rejected responses with gradients, evaluates the
/// objective and back-propagates its gradient with respect to those log-probs. Metrics per step use TRL's names.
public enum DPOTrainer {
    /// File of the cached reference log-probs in the run folder.
    public static let referenceFile = "reference_logps.jsonl"

    /// Runs `job` to its last step (resuming if possible) and writes `summary.json`; a finished job returns its
    /// summary. `stopAfterStep` returns early without a checkpoint, as a kill would.
    @discardableResult
    public static func run(_ job: DPOJob, stopAfterStep: Int? = nil,
                           onStep: StepObserver? = nil) throws -> DPOSummary {
        let folder = TrainingRunFolder(URL(fileURLWithPath: job.output))
        if folder.isFinished { return try JSONDecoder().decode(DPOSummary.self, from: Data(contentsOf: folder.summaryFile)) }
        guard job.objective.beta > 0 else { throw TrainingError.invalidConfiguration("beta must be positive") }
        if let words = job.maxWords, words < 1 {
            throw TrainingError.invalidConfiguration("max_words must be at least 1, or null to keep whole responses")
        }
        try FileManager.default.createDirectory(at: folder.url, withIntermediateDirectories: true)
        let referenceURL = folder.url.appendingPathComponent(referenceFile)
        if !FileManager.default.fileExists(atPath: referenceURL.path) {
            let reference = try StudentCheckpoint.load(from: URL(fileURLWithPath: job.start))
            let (pairs, _) = try preferenceExamples(job, model: reference)
            let scores = try reference.model.responseLogProbs(pairs.flatMap { [$0.chosen, $0.rejected] })
            let rows = pairs.enumerated().map { index, pair in
                ReferenceLogProbs(id: pair.id, chosen: Double(scores[2 * index]), rejected: Double(scores[2 * index + 1]))
            }
            try RowFiles.jsonLines(rows).write(to: referenceURL, options: .atomic)
        }
        let loop = try TrainingLoop(folder: folder, start: URL(fileURLWithPath: job.start), config: job.optimization)
        let (pairs, skipped) = try preferenceExamples(job, model: loop.loaded)
        let references = try readReferences(referenceURL, expected: pairs.map(\.id))
        let model = loop.model
        let objective = job.objective
        let schedule = BatchSchedule(lengths: pairs.map { $0.chosen.tokens.count + $0.rejected.tokens.count },
                                     batchSize: job.optimization.batchSize, window: job.optimization.bucketWindow,
                                     seed: job.optimization.seed)
        let last = try loop.run(schedule: schedule, stopAfterStep: stopAfterStep, onStep: onStep,
                                microStep: { tape, indices, scale in
            let batch = indices.flatMap { [pairs[$0].chosen, pairs[$0].rejected] }
            let logps = try model.sequenceLogProbs(tape, batch)
            let values = tape.array(logps)
            let evaluation = objective.evaluate(indices.enumerated().map { slot, index in
                PreferenceLogProbs(policyChosen: Double(values[2 * slot]), policyRejected: Double(values[2 * slot + 1]),
                                   referenceChosen: references[index].chosen,
                                   referenceRejected: references[index].rejected,
                                   chosenTokens: pairs[index].chosen.lossMask.filter { $0 }.count)
            })
            let seed = zip(evaluation.gradChosen, evaluation.gradRejected).flatMap { [Float($0), Float($1)] }
            tape.backward(logps, scale: scale, seed: seed)
            return evaluation.metrics
        }, validate: nil).metrics
        let summary = DPOSummary(steps: job.optimization.steps, pairs: pairs.count, skippedRows: skipped,
                                 finalMetrics: last.isEmpty ? (MetricsLog.read(folder.metricsFile).last ?? [:]) : last,
                                 checkpoint: folder.latestCheckpoint()?.path ?? "")
        if stopAfterStep.map({ $0 < job.optimization.steps }) != true { try loop.finish(summary) }
        return summary
    }

    /// A pair's two scoring examples.
    struct PairExamples {
        var id: String
        var chosen: VLMExample
        var rejected: VLMExample
    }

    /// The job's usable pairs as scoring examples (truncated), and the skipped rows with reasons.
    static func preferenceExamples(_ job: DPOJob, model loaded: StudentCheckpoint.Loaded) throws
        -> ([PairExamples], [String]) {
        var skipped: [String] = [], all: [(file: String, row: PreferenceRow)] = []
        for file in job.pairs {
            let batch = try RowFiles.read(PreferenceRow.self, path: file, imageRoot: job.imageRoot)
            skipped += batch.problems.map(\.description)
            all += batch.rows.map { (file, $0) }
        }
        let rows = RowExamples(template: try ChatTemplate(tokenizer: loaded.tokenizer), config: loaded.model.config)
        let scoring = ScoredResponses(template: rows.template, maxWords: job.maxWords)
        var pairs: [PairExamples] = []
        for (file, row) in all {
            do {
                let image = try rows.image(row.image, root: job.imageRoot)
                let prompt = row.image == nil ? Conversation.imageMarker + "\n" + row.question : row.question
                let chosen = try scoring.example(image: image, prompt: prompt, response: row.chosen)
                let rejected = try scoring.example(image: image, prompt: prompt, response: row.rejected)
                guard max(chosen.tokens.count, rejected.tokens.count) <= rows.textContext else {
                    throw TrainingError.noUsableData("longer than the model's text context of \(rows.textContext) "
                                                     + "tokens; lower max_words")
                }
                pairs.append(PairExamples(id: row.id, chosen: chosen, rejected: rejected))
            } catch {
                skipped.append("\(file): row \(row.id): \(error)")
            }
        }
        guard !pairs.isEmpty else {
            throw TrainingError.noUsableData("no usable pair in \(job.pairs.joined(separator: ", ")): \(skipped.prefix(3))")
        }
        return (pairs, skipped)
    }

    static func readReferences(_ url: URL, expected ids: [String]) throws -> [ReferenceLogProbs] {
        let batch = try JSONLines.read(ReferenceLogProbs.self, from: url)
        guard batch.map(\.id) == ids else {
            throw TrainingError.unusableRunFolder("\(url.path) was computed for other pairs; delete it and the "
                                                  + "checkpoints to start this DPO job afresh")
        }
        return batch
    }
}
