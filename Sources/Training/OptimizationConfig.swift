/// How a trainer steps: batch, accumulation, schedule, clipping, and when it validates and checkpoints.
/// Shared by pretraining, SFT and DPO. JSON keys are snake_case, as in the pipeline definitions.
public struct OptimizationConfig: Codable, Sendable, Equatable {
    /// Optimizer steps of the whole run.
    public var steps: Int
    /// Examples (or preference pairs) per micro-batch.
    public var batchSize: Int
    /// Micro-batches per optimizer step (their gradients are averaged).
    public var accumulation: Int = 1
    /// Peak learning rate, reached at the end of warmup.
    public var learningRate: Float
    /// Learning rate at the end of the cosine.
    public var minLearningRate: Float = 0
    /// Linear warmup steps.
    public var warmupSteps: Int = 0
    /// Global gradient-norm clip.
    public var clipNorm: Float = 1
    /// AdamW's decoupled weight decay.
    public var weightDecay: Float = 0.01
    /// Seed of the data order.
    public var seed: UInt64 = 0
    /// Validate every this many steps (0: never, except at the end when there is a validation set).
    public var validateEvery: Int = 0
    /// Checkpoint every this many steps (0: only at the end).
    public var checkpointEvery: Int = 0
    /// Micro-batches whose examples are sorted together by length (1: no bucketing, the default).
    ///
    /// Bucketing saves padding but makes every batch one length — in the suite, one family and one caption size —
    /// and that kept the student from reading its images: on chart captions, held-out loss with the scene's own
    /// image equalled the loss with another scene's image for 900 steps with a window of 16, while unbucketed
    /// batches use the image from step 100 (docs/seeing.md). Raise it only where the batches' content does not
    /// vary with length.
    public var bucketWindow: Int = 1

    /// A configuration.
    public init(steps: Int, batchSize: Int, accumulation: Int = 1, learningRate: Float, minLearningRate: Float = 0,
                warmupSteps: Int = 0, clipNorm: Float = 1, weightDecay: Float = 0.01, seed: UInt64 = 0,
                validateEvery: Int = 0, checkpointEvery: Int = 0, bucketWindow: Int = 1) {
        self.steps = steps
        self.batchSize = batchSize
        self.accumulation = accumulation
        self.learningRate = learningRate
        self.minLearningRate = minLearningRate
        self.warmupSteps = warmupSteps
        self.clipNorm = clipNorm
        self.weightDecay = weightDecay
        self.seed = seed
        self.validateEvery = validateEvery
        self.checkpointEvery = checkpointEvery
        self.bucketWindow = bucketWindow
    }

    /// Rejects settings no trainer can honour; the error names the field.
    public func validate() throws(TrainingError) {
        func check(_ ok: Bool, _ text: String) throws(TrainingError) {
            if !ok { throw .invalidConfiguration(text) }
        }
        try check(steps >= 1, "steps must be at least 1 (got \(steps))")
        try check(batchSize >= 1, "batch_size must be at least 1 (got \(batchSize))")
        try check(accumulation >= 1, "accumulation must be at least 1 (got \(accumulation))")
        try check(learningRate > 0 && learningRate.isFinite, "learning_rate must be positive (got \(learningRate))")
        try check(minLearningRate >= 0 && minLearningRate <= learningRate,
                  "min_learning_rate must be in [0, learning_rate] (got \(minLearningRate))")
        try check(warmupSteps >= 0 && warmupSteps <= steps, "warmup_steps must be in [0, steps] (got \(warmupSteps))")
        try check(clipNorm > 0, "clip_norm must be positive (got \(clipNorm))")
        try check(weightDecay >= 0, "weight_decay must not be negative (got \(weightDecay))")
        try check(validateEvery >= 0, "validate_every must not be negative (got \(validateEvery))")
        try check(checkpointEvery >= 0, "checkpoint_every must not be negative (got \(checkpointEvery))")
        try check(bucketWindow >= 1, "bucket_window must be at least 1 (got \(bucketWindow))")
    }

    enum CodingKeys: String, CodingKey {
        case steps, batchSize = "batch_size", accumulation, learningRate = "learning_rate"
        case minLearningRate = "min_learning_rate", warmupSteps = "warmup_steps", clipNorm = "clip_norm"
        case weightDecay = "weight_decay", seed, validateEvery = "validate_every"
        case checkpointEvery = "checkpoint_every", bucketWindow = "bucket_window"
    }
}
