import Foundation
import Model
import ReasonerData
import Tensor
import Tokenization

/// Rows to train on: a LLaVA conversation file, its image folder, and how many times each row counts (the mix's
/// repeat ratio).
public struct RowSource: Codable, Sendable, Equatable {
    /// The `.jsonl`/`.json` file of `ConversationRow`s.
    public var path: String
    /// The folder its image paths are relative to.
    public var imageRoot: String
    /// Times each row appears in the training set.
    public var repeats: Int

    /// A source.
    public init(path: String, imageRoot: String, repeats: Int = 1) {
        self.path = path
        self.imageRoot = imageRoot
        self.repeats = repeats
    }
}

/// One line of a run's `metrics.jsonl`.
public struct StepMetrics: Codable, Sendable, Equatable {
    /// 0-based step.
    public var step: Int
    /// Mean masked cross-entropy of the step's batch.
    public var loss: Float
    /// Learning rate used.
    public var lr: Float
    /// Gradient norm before clipping.
    public var gradNorm: Float

    private enum CodingKeys: String, CodingKey {
        case step, loss, lr, gradNorm = "grad_norm"
    }
}

/// What a finished run reports.
public struct TrainingSummary: Codable, Sendable, Equatable {
    /// Steps done in total.
    public var steps: Int
    /// Steps done by this call (the rest came from a checkpoint).
    public var stepsThisCall: Int
    /// Examples in the training set (after repeats).
    public var examples: Int
    /// Rows skipped, with reasons.
    public var skipped: [String]
    /// Mean loss of the last ten steps.
    public var finalLoss: Float
    /// The checkpoint's content hash.
    public var contentHash: String
}

/// Supervised training of the student — pretraining on captions and drills, and SFT on a data mix — with exact
/// resume: the output folder holds the latest checkpoint (weights, tokenizer, AdamW moments, step), and the data
/// order is a function of the seed and the step, so a run killed at any point and called again with the same
/// arguments continues to the same weights and the same loss curve as an unbroken run.
public enum SFTTrainer {
    /// Trains from the checkpoint `base` (or, when `output` already holds a checkpoint of this run, from there) on
    /// `sources` for `config.steps` steps, saving into `output` every `config.checkpointEvery` steps and at the end.
    /// `metrics.jsonl` in `output` gets one line per step; `progress` is called after each step. Checks for
    /// cancellation between steps (a cancelled run resumes from its last checkpoint).
    public static func run(config: SFTConfig, sources: [RowSource], base: URL, output: URL,
                           progress: (StepMetrics) -> Void = { _ in }) throws -> TrainingSummary {
        try config.validate("sft")
        let resuming = FileManager.default.fileExists(
            atPath: output.appendingPathComponent(StudentCheckpoint.trainerStateFile).path)
        let loaded = try StudentCheckpoint.load(from: resuming ? output : base)
        let model = loaded.model
        let optimizer = AdamW(model.parameters)
        var start = 0
        if resuming, let state = loaded.optimizer, let step = loaded.trainerState?.step {
            optimizer.restore(state)
            start = step
        }
        var builder = ExampleBuilder(template: try ChatTemplate(tokenizer: loaded.tokenizer), config: model.config)
        var problems: [RowProblem] = []
        var examples: [VLMExample] = []
        for source in sources {
            let batch = try RowFiles.read(ConversationRow.self, path: source.path, imageRoot: source.imageRoot)
            problems += batch.problems
            examples += builder.examples(batch.rows, imageRoot: source.imageRoot, repeats: source.repeats,
                                         problems: &problems)
        }
        guard !examples.isEmpty else {
            throw TrainingError.noExamples("no usable rows in \(sources.map(\.path)) (\(problems.prefix(3)))")
        }
        let metricsURL = output.appendingPathComponent("metrics.jsonl")
        var metrics = try MetricsLog.read(metricsURL).filter { $0.step < start }
        let order = DataOrder(count: examples.count, batchSize: config.batchSize, seed: config.seed)
        let schedule = config.schedule
        let tape = Tape(parameters: model.parameters)
        for step in start..<config.steps {
            try Task.checkCancellation()
            model.parameters.zeroGrads()
            tape.reset()
            let loss = try model.loss(tape, order.batch(step).map { examples[$0] })
            let lossValue = tape.value(loss)[0]
            tape.backward(loss)
            let norm = model.parameters.clipGradients(maxNorm: config.clipNorm)
            optimizer.step(lr: schedule(step))
            let line = StepMetrics(step: step, loss: lossValue, lr: schedule(step), gradNorm: norm)
            metrics.append(line)
            progress(line)
            if (step + 1) % config.checkpointEvery == 0 || step + 1 == config.steps {
                try save(model, tokenizer: loaded.tokenizer, optimizer: optimizer, step: step + 1, metrics: metrics,
                         to: output)
            }
        }
        if start >= config.steps, !resuming {
            try save(model, tokenizer: loaded.tokenizer, optimizer: optimizer, step: start, metrics: metrics, to: output)
        }
        let tail = metrics.suffix(10)
        return TrainingSummary(steps: config.steps, stepsThisCall: max(0, config.steps - start),
                               examples: examples.count, skipped: problems.map(\.description),
                               finalLoss: tail.isEmpty ? 0 : tail.map(\.loss).reduce(0, +) / Float(tail.count),
                               contentHash: try StudentCheckpoint.contentHash(of: output))
    }

    /// Saves the checkpoint and the metrics so far into `output` as one step: written into a fresh folder, then
    /// swapped in, so a kill mid-save leaves the previous checkpoint whole.
    static func save(_ model: StudentVLM, tokenizer: Tokenizer, optimizer: AdamW, step: Int, metrics: [StepMetrics],
                     to output: URL) throws {
        let parent = output.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        let temporary = parent.appendingPathComponent(".tmp-\(UUID().uuidString)-\(output.lastPathComponent)")
        try StudentCheckpoint.save(model, tokenizer: tokenizer, trainerState: .init(step: step),
                                   optimizer: optimizer.state, to: temporary)
        try MetricsLog.write(metrics, to: temporary.appendingPathComponent("metrics.jsonl"))
        if FileManager.default.fileExists(atPath: output.path) {
            let retired = parent.appendingPathComponent(".old-\(UUID().uuidString)-\(output.lastPathComponent)")
            try FileManager.default.moveItem(at: output, to: retired)
            try FileManager.default.moveItem(at: temporary, to: output)
            try? FileManager.default.removeItem(at: retired)
        } else {
            try FileManager.default.moveItem(at: temporary, to: output)
        }
    }
}

/// The order examples are visited in: a seeded permutation per epoch, batches cut from it in turn; the batch of a
/// step depends only on (seed, step), which is what makes resume exact.
struct DataOrder {
    let count: Int
    let batchSize: Int
    let seed: UInt64

    func batch(_ step: Int) -> [Int] {
        (0..<batchSize).map { offset in
            let position = step * batchSize + offset
            return permutation(epoch: position / count)[position % count]
        }
    }

    private func permutation(epoch: Int) -> [Int] {
        var generator = SeededGenerator(seed: seed, stream: "epoch-\(epoch)")
        return Array(0..<count).shuffled(using: &generator)
    }
}

/// `metrics.jsonl`: one `StepMetrics` per line.
enum MetricsLog {
    static func read(_ url: URL) throws -> [StepMetrics] {
        guard let data = FileManager.default.contents(atPath: url.path) else { return [] }
        return try data.split(separator: UInt8(ascii: "\n")).map { try JSONDecoder().decode(StepMetrics.self, from: Data($0)) }
    }

    static func write(_ metrics: [StepMetrics], to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        var data = Data()
        for line in metrics {
            data += try encoder.encode(line)
            data.append(UInt8(ascii: "\n"))
        }
        try data.write(to: url, options: .atomic)
    }
}
