import Foundation
import Model
import Tensor

/// Called after each optimizer step with the step number (1-based) and its metrics. Throwing stops the run there,
/// before that step's checkpoint, as a kill would (a worker whose lease passed to another stops this way).
public typealias StepObserver = (_ step: Int, _ metrics: [String: Double]) throws -> Void

/// Called after each checkpoint is saved, with its step and the model as saved; returning true ends the run there
/// (a job gated on probes rather than on a step count stops once its probes pass).
public typealias CheckpointObserver = (_ step: Int, _ model: StudentVLM) throws -> Bool

/// The loop every trainer runs, written out plainly: for each optimizer step, `accumulation` micro-batches of
/// forward + backward (gradients scaled by 1/accumulation), clip, AdamW at the scheduled learning rate; metrics per
/// step; validation and checkpoints every K steps. It starts from the run folder's latest checkpoint when there is
/// one (weights, AdamW moments, step), so a killed job resumes exactly: the batches are a pure function of the
/// step and the metrics written after the checkpoint are dropped and rewritten.
final class TrainingLoop {
    let folder: TrainingRunFolder
    let config: OptimizationConfig
    let loaded: StudentCheckpoint.Loaded
    let optimizer: AdamW
    let startStep: Int
    var model: StudentVLM { loaded.model }

    /// Loads the latest checkpoint of `folder`, else `start`.
    init(folder: TrainingRunFolder, start: URL, config: OptimizationConfig) throws {
        try config.validate()
        self.folder = folder
        self.config = config
        try FileManager.default.createDirectory(at: folder.checkpointsFolder, withIntermediateDirectories: true)
        if let latest = folder.latestCheckpoint() {
            loaded = try StudentCheckpoint.load(from: latest)
            guard let state = loaded.trainerState, let moments = loaded.optimizer else {
                throw TrainingError.unusableRunFolder("\(latest.path) has no trainer_state.json or optimizer "
                                                      + "state; delete \(folder.checkpointsFolder.path) to restart")
            }
            startStep = state.step
            optimizer = AdamW(loaded.model.parameters, configuration: Self.adam(config))
            optimizer.restore(moments)
        } else {
            guard FileManager.default.fileExists(atPath: start.appendingPathComponent(StudentCheckpoint.configFile).path)
            else { throw TrainingError.unusableRunFolder("no start checkpoint at \(start.path)") }
            loaded = try StudentCheckpoint.load(from: start)
            startStep = 0
            optimizer = AdamW(loaded.model.parameters, configuration: Self.adam(config))
        }
        try folder.truncate(folder.metricsFile, afterStep: startStep)
        try folder.truncate(folder.validationFile, afterStep: startStep)
    }

    static func adam(_ config: OptimizationConfig) -> AdamW.Configuration {
        var adam = AdamW.Configuration()
        adam.weightDecay = config.weightDecay
        return adam
    }

    /// Runs from `startStep` to `config.steps` (or to `stopAfterStep`, returning as a kill would: no checkpoint;
    /// or to the checkpoint after which `onCheckpoint` says stop). `microStep` records and back-propagates one
    /// micro-batch with the given gradient scale and returns its metrics; `validate` returns validation metrics.
    /// Returns the last metrics and the step the run ended at.
    ///
    /// `weight` gives a micro-batch's share of its step (default: all equal): the SFT trainer weighs each by its
    /// trained tokens, so that a step of several micro-batches has the gradient of the mean over all of its tokens,
    /// as one big batch would, whatever the mix of caption and drill micro-batches.
    func run(schedule: BatchSchedule, stopAfterStep: Int? = nil, onStep: StepObserver? = nil,
             onCheckpoint: CheckpointObserver? = nil, weight: (([Int]) -> Double)? = nil,
             microStep: (Tape, [Int], Float) throws -> [String: Double],
             validate: (() throws -> [String: Double])?) throws -> (metrics: [String: Double], step: Int) {
        guard schedule.batchesPerEpoch > 0 else { throw TrainingError.noUsableData("no examples to batch") }
        let lr = LearningRateSchedule(peak: config.learningRate, minimum: config.minLearningRate,
                                      warmupSteps: config.warmupSteps, totalSteps: config.steps)
        let metrics = MetricsLog(file: folder.metricsFile)
        let validations = MetricsLog(file: folder.validationFile)
        let tape = Tape(parameters: model.parameters)
        var cachedEpoch = (index: -1, batches: [[Int]]())
        var last: [String: Double] = [:]
        for step in startStep..<config.steps {
            try Task.checkCancellation()
            model.parameters.zeroGrads()
            var sums: [String: Double] = [:]
            var micros: [[Int]] = []
            for micro in 0..<config.accumulation {
                let index = step * config.accumulation + micro
                let epoch = index / schedule.batchesPerEpoch
                if cachedEpoch.index != epoch { cachedEpoch = (epoch, schedule.epoch(epoch)) }
                micros.append(cachedEpoch.batches[index % schedule.batchesPerEpoch])
            }
            let weights = micros.map { weight?($0) ?? 1 }
            let total = weights.reduce(0, +)
            for (micro, share) in zip(micros, weights) {
                tape.reset()
                let values = try microStep(tape, micro, total > 0 ? Float(share / total) : 1 / Float(micros.count))
                for (name, value) in values { sums[name, default: 0] += value / Double(config.accumulation) }
            }
            tape.reset()
            let norm = model.parameters.clipGradients(maxNorm: config.clipNorm)
            let rate = lr(step)
            optimizer.step(lr: rate)
            sums["grad_norm"] = Double(norm)
            sums["learning_rate"] = Double(rate)
            let done = step + 1
            try metrics.append(step: done, values: sums)
            last = sums
            try onStep?(done, sums)
            if let validate, (config.validateEvery > 0 && done % config.validateEvery == 0) || done == config.steps {
                try validations.append(step: done, values: try validate())
            }
            if stopAfterStep == done { return (last, done) }
            if (config.checkpointEvery > 0 && done % config.checkpointEvery == 0) || done == config.steps {
                try folder.saveCheckpoint(model, loaded: loaded, optimizer: optimizer, step: done)
                if try onCheckpoint?(done, model) == true { return (last, done) }
            }
        }
        return (last, config.steps)
    }

    /// Writes the summary that marks the job finished.
    func finish<Summary: Encodable>(_ summary: Summary) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(summary).write(to: folder.summaryFile, options: .atomic)
    }
}
