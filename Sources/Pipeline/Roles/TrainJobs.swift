import Artifacts
import Messaging
import Training

/// A rows file of a training mix in the volume, under its source name (`format`, `direct`, `cot`, `captions`, ...).
public struct TrainSource: Codable, Sendable, Equatable {
    /// The source's name (metrics count examples per source).
    public var name: String
    /// `ConversationRow` JSONL.
    public var rows: ArtifactRef
    /// Times each row counts.
    public var repeats: Int

    /// A source.
    public init(name: String, rows: ArtifactRef, repeats: Int = 1) {
        self.name = name
        self.rows = rows
        self.repeats = repeats
    }
}

/// A student made from nothing: its size, and a tokenizer trained on the text of some rows files.
public struct FreshStudentSpec: Codable, Sendable, Equatable {
    /// `reference` or `tiny`.
    public var scale: ModelScale
    /// Tokenizer vocabulary size.
    public var vocabularySize: Int
    /// Decoder context, image patches included.
    public var contextLength: Int
    /// Rows files whose text trains the tokenizer.
    public var corpus: [ArtifactRef]
    /// Seed of the tokenizer and the initial weights.
    public var seed: UInt64

    /// A spec.
    public init(scale: ModelScale, vocabularySize: Int, contextLength: Int, corpus: [ArtifactRef], seed: UInt64) {
        self.scale = scale
        self.vocabularySize = vocabularySize
        self.contextLength = contextLength
        self.corpus = corpus
        self.seed = seed
    }
}

/// Work for the SFT trainer: a supervised run (caption pretraining or an SFT mix) from a checkpoint, or from a fresh
/// student, into a run folder (`TrainingRunFolder`: checkpoints, metrics, summary). A job outlives RabbitMQ's
/// consumer timeout, so the trainer holds a lease on it instead of the message and resumes from the folder's last
/// checkpoint when the job comes back after a crash.
public struct SFTTrainJob: WorkMessage, Equatable {
    public static let typeName = "train.sft"
    public static let schemaVersion = 1

    /// The job's name, unique in its run (`pretrain`, `sft-format+cot`, ...).
    public var name: String
    /// The checkpoint folder to start from; nil: a fresh student made from `fresh` (beside the output).
    public var start: ArtifactRef?
    /// How to make the fresh student when there is no `start`.
    public var fresh: FreshStudentSpec?
    /// The mix.
    public var sources: [TrainSource]
    /// The folder image paths in the rows are relative to.
    public var imageRoot: ArtifactRef
    /// Rows whose loss is logged every `validate_every` steps, if any.
    public var validation: ArtifactRef?
    /// At most this many validation rows are used.
    public var validationLimit: Int
    /// Steps, batch, schedule.
    public var optimization: OptimizationConfig
    /// The run folder.
    public var output: ArtifactRef

    /// A job.
    public init(name: String, start: ArtifactRef?, fresh: FreshStudentSpec?, sources: [TrainSource],
                imageRoot: ArtifactRef, validation: ArtifactRef?, validationLimit: Int,
                optimization: OptimizationConfig, output: ArtifactRef) {
        self.name = name
        self.start = start
        self.fresh = fresh
        self.sources = sources
        self.imageRoot = imageRoot
        self.validation = validation
        self.validationLimit = validationLimit
        self.optimization = optimization
        self.output = output
    }
}

/// Work for the DPO trainer: preference optimisation of a checkpoint (also the frozen reference) on a pairs file,
/// into a run folder; leased and resumable like ``SFTTrainJob``.
public struct DPOTrainJob: WorkMessage, Equatable {
    public static let typeName = "train.dpo"
    public static let schemaVersion = 2

    /// The job's name, unique in its run (`dpo`).
    public var name: String
    /// The policy's start and the reference.
    public var start: ArtifactRef
    /// `PreferenceRow` JSONL files (one per judged shard), read in order.
    public var pairs: [ArtifactRef]
    /// The folder image paths in the pairs are relative to.
    public var imageRoot: ArtifactRef
    /// Loss kind, β, NLL weight.
    public var objective: DPOObjective
    /// Response truncation in words; nil keeps whole responses.
    public var maxWords: Int?
    /// Steps, batch, schedule.
    public var optimization: OptimizationConfig
    /// The run folder.
    public var output: ArtifactRef

    /// A job.
    public init(name: String, start: ArtifactRef, pairs: [ArtifactRef], imageRoot: ArtifactRef, objective: DPOObjective,
                maxWords: Int?, optimization: OptimizationConfig, output: ArtifactRef) {
        self.name = name
        self.start = start
        self.pairs = pairs
        self.imageRoot = imageRoot
        self.objective = objective
        self.maxWords = maxWords
        self.optimization = optimization
        self.output = output
    }
}
