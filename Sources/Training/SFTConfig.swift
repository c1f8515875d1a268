import Tensor

/// Settings of a supervised run (pretraining on captions and drills, or SFT on a mix), `snake_case` in documents.
public struct SFTConfig: Codable, Sendable, Equatable {
    /// Optimiser steps.
    public var steps: Int
    /// Examples per step.
    public var batchSize: Int
    /// Peak learning rate.
    public var learningRate: Float
    /// Learning rate at the end of the cosine.
    public var minLearningRate: Float
    /// Linear warmup steps.
    public var warmupSteps: Int
    /// Gradient clipping by global norm.
    public var clipNorm: Float
    /// Save a resumable checkpoint every this many steps (and at the end).
    public var checkpointEvery: Int
    /// Seed of the data order.
    public var seed: UInt64

    /// Settings.
    public init(steps: Int, batchSize: Int = 16, learningRate: Float = 1e-3, minLearningRate: Float = 1e-4,
                warmupSteps: Int = 20, clipNorm: Float = 1, checkpointEvery: Int = 50, seed: UInt64 = 0) {
        self.steps = steps
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.minLearningRate = minLearningRate
        self.warmupSteps = warmupSteps
        self.clipNorm = clipNorm
        self.checkpointEvery = checkpointEvery
        self.seed = seed
    }

    private enum CodingKeys: String, CodingKey {
        case steps, batchSize = "batch_size", learningRate = "learning_rate", minLearningRate = "min_learning_rate",
             warmupSteps = "warmup_steps", clipNorm = "clip_norm", checkpointEvery = "checkpoint_every", seed
    }

    /// Rejects settings no run can honour; `section` names them in the message.
    public func validate(_ section: String) throws {
        guard steps >= 1, batchSize >= 1, checkpointEvery >= 1, warmupSteps >= 0 else {
            throw TrainingError.invalid("\(section): steps, batch_size and checkpoint_every must be at least 1 and "
                                        + "warmup_steps not negative")
        }
        guard learningRate > 0, minLearningRate >= 0, minLearningRate <= learningRate, clipNorm > 0 else {
            throw TrainingError.invalid("\(section): need 0 <= min_learning_rate <= learning_rate, learning_rate > 0 "
                                        + "and clip_norm > 0")
        }
    }

    /// The learning rate schedule: linear warmup, then cosine to the floor at the last step.
    public var schedule: LearningRateSchedule {
        LearningRateSchedule(peak: learningRate, minimum: minLearningRate, warmupSteps: warmupSteps, totalSteps: steps)
    }
}
