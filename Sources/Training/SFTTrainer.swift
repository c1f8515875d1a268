import Foundation
import Model
import ReasonerData
import Tensor
import Tokenization

/// A supervised fine-tuning (or caption pretraining) job: what the `sft-trainer` worker and the experiment runner
/// hand to `SFTTrainer.run`. Paths are plain file paths (the worker resolves artifact refs first).
public struct SFTJob: Codable, Sendable, Equatable {
    /// The checkpoint folder training starts from (pretrained student, or a fresh one).
    public var start: String
    /// The mix: rows files with their repeat counts.
    public var sources: [MixSource]
    /// The folder image paths in rows are relative to.
    public var imageRoot: String
    /// Validation rows (the loss on them is logged every `validate_every` steps), if any.
    public var validation: String?
    /// At most this many validation rows are used (the first ones), to bound the cost of each validation.
    public var validationLimit: Int
    /// Steps, batch, schedule.
    public var optimization: OptimizationConfig
    /// The run folder (`TrainingRunFolder`): checkpoints, metrics, summary.
    public var output: String

    /// A job.
    public init(start: String, sources: [MixSource], imageRoot: String, validation: String? = nil,
                validationLimit: Int = 256, optimization: OptimizationConfig, output: String) {
        self.start = start
        self.sources = sources
        self.imageRoot = imageRoot
        self.validation = validation
        self.validationLimit = validationLimit
        self.optimization = optimization
        self.output = output
    }
}

/// What an SFT job did.
public struct SFTSummary: Codable, Sendable, Equatable {
    /// Optimizer steps taken in total.
    public var steps: Int
    /// Examples per source (after repeats).
    public var examplesPerSource: [String: Int]
    /// Rows skipped, and why (`file:line: reason`).
    public var skippedRows: [String]
    /// Training loss of the last step.
    public var finalLoss: Double?
    /// Validation loss at the end, if there was a validation set.
    public var validationLoss: Double?
    /// The final checkpoint folder.
    public var checkpoint: String
}

/// Response-only supervised training of the student on a data mix, resumable from its run folder.
public enum SFTTrainer {
    /// Runs `job` to its last step (resuming from the run folder's latest checkpoint if there is one) and writes
    /// `summary.json`. A finished job returns its summary without training again. `stopAfterStep` returns early
    /// without a checkpoint, as a kill would (tests of resumption); `onCheckpoint` may end the job at a checkpoint
    /// (it is then finished at that step).
    @discardableResult
    public static func run(_ job: SFTJob, stopAfterStep: Int? = nil, onStep: StepObserver? = nil,
                           onCheckpoint: CheckpointObserver? = nil) throws -> SFTSummary {
        let folder = TrainingRunFolder(URL(fileURLWithPath: job.output))
        if folder.isFinished { return try JSONDecoder().decode(SFTSummary.self, from: Data(contentsOf: folder.summaryFile)) }
        let loop = try TrainingLoop(folder: folder, start: URL(fileURLWithPath: job.start), config: job.optimization)
        let rows = RowExamples(template: try ChatTemplate(tokenizer: loop.loaded.tokenizer), config: loop.model.config)
        var examples: [SourcedExample] = []
        var skipped: [String] = []
        var perSource: [String: Int] = [:]
        for source in job.sources {
            guard source.repeats >= 1 else {
                throw TrainingError.invalidConfiguration("source \(source.name): repeats must be at least 1")
            }
            let loaded = try rows.load(rowsFile: source.rows, imageRoot: job.imageRoot, source: source.name)
            skipped += loaded.problems.map(\.description)
            for _ in 0..<source.repeats { examples += loaded.examples }
            perSource[source.name, default: 0] += loaded.examples.count * source.repeats
        }
        guard !examples.isEmpty else {
            throw TrainingError.noUsableData("every row of the mix was skipped: \(skipped.prefix(3))")
        }
        var validation: [VLMExample] = []
        if let path = job.validation {
            let loaded = try rows.load(rowsFile: path, imageRoot: job.imageRoot, source: "validation")
            skipped += loaded.problems.map(\.description)
            validation = loaded.examples.prefix(job.validationLimit).map(\.example)
        }
        let model = loop.model
        let schedule = BatchSchedule(lengths: examples.map(\.example.tokens.count), batchSize: job.optimization.batchSize,
                                     window: job.optimization.bucketWindow, seed: job.optimization.seed)
        let (last, endStep) = try loop.run(schedule: schedule, stopAfterStep: stopAfterStep, onStep: onStep,
                                           onCheckpoint: onCheckpoint, weight: { indices in
            Double(indices.reduce(0) { $0 + examples[$1].trainedTokens })
        }, microStep: { tape, indices, scale in
            let loss = try model.loss(tape, indices.map { examples[$0].example })
            let value = Double(tape.scalar(loss))
            tape.backward(loss, scale: scale)
            let tokens = indices.reduce(0) { $0 + examples[$1].example.tokens.count }
            let positions = indices.count * model.config.patchesPerImage + tokens
            return ["loss": value, "tokens": Double(tokens), "positions": Double(positions)]
        }, validate: validation.isEmpty ? nil : {
            ["validation_loss": try meanLoss(model, validation, batchSize: job.optimization.batchSize)]
        })
        let validations = MetricsLog.read(folder.validationFile)
        let summary = SFTSummary(steps: endStep, examplesPerSource: perSource, skippedRows: skipped,
                                 finalLoss: last["loss"] ?? MetricsLog.read(folder.metricsFile).last?["loss"],
                                 validationLoss: validations.last?["validation_loss"],
                                 checkpoint: folder.latestCheckpoint()?.path ?? "")
        if stopAfterStep != endStep || endStep == job.optimization.steps { try loop.finish(summary) }
        return summary
    }

    /// The mean of per-batch SFT losses over `examples` (no gradients kept).
    public static func meanLoss(_ model: StudentVLM, _ examples: [VLMExample], batchSize: Int) throws -> Double {
        let tape = Tape(parameters: model.parameters)
        var total = 0.0, batches = 0
        for start in stride(from: 0, to: examples.count, by: max(1, batchSize)) {
            tape.reset()
            let loss = try model.loss(tape, Array(examples[start..<min(examples.count, start + batchSize)]))
            total += Double(tape.scalar(loss))
            batches += 1
        }
        tape.reset()
        return batches == 0 ? .nan : total / Double(batches)
    }
}
