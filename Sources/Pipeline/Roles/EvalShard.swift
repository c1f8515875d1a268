import Artifacts
import Messaging
import ReasonerData

/// How a run evaluates its students: greedy answers to the test split with the CoT prompt and with the direct
/// prompt, judged by the same answer judge, accuracies with bootstrap confidence intervals.
public struct EvaluationSettings: Codable, Sendable, Equatable {
    /// The prompt modes (`cot`, `direct`).
    public var modes: [PromptMode]
    /// The split evaluated (`test` or `validation`).
    public var split: Split
    /// Items per shard (one message each).
    public var itemsPerShard: Int
    /// The first this many items of each family are evaluated; 0: all of them.
    public var itemsPerFamily: Int
    /// Longest answer, in tokens.
    public var maxNewTokens: Int
    /// Bootstrap resamples of each confidence interval.
    public var bootstrapSamples: Int
    /// Seed of the bootstrap.
    public var seed: UInt64

    /// Settings.
    public init(modes: [PromptMode] = [.cot, .direct], split: Split = .test, itemsPerShard: Int = 50,
                itemsPerFamily: Int = 0, maxNewTokens: Int = 160, bootstrapSamples: Int = 1_000, seed: UInt64 = 0) {
        self.modes = modes
        self.split = split
        self.itemsPerShard = itemsPerShard
        self.itemsPerFamily = itemsPerFamily
        self.maxNewTokens = maxNewTokens
        self.bootstrapSamples = bootstrapSamples
        self.seed = seed
    }

    private enum CodingKeys: String, CodingKey {
        case modes, split, itemsPerShard = "items_per_shard", itemsPerFamily = "items_per_family", maxNewTokens = "max_new_tokens",
             bootstrapSamples = "bootstrap_samples", seed
    }

    func validate() throws {
        guard !modes.isEmpty else { throw PipelineDefinitionError.invalid("evaluate.modes", "must name cot, direct or both") }
        guard itemsPerShard >= 1 else { throw PipelineDefinitionError.invalid("evaluate.items_per_shard", "must be at least 1") }
        guard itemsPerFamily >= 0 else {
            throw PipelineDefinitionError.invalid("evaluate.items_per_family", "must not be negative (0: every item)")
        }
        guard maxNewTokens >= 1 else { throw PipelineDefinitionError.invalid("evaluate.max_new_tokens", "must be at least 1") }
        guard bootstrapSamples >= 100 else {
            throw PipelineDefinitionError.invalid("evaluate.bootstrap_samples", "must be at least 100")
        }
    }
}

/// Work for the evaluator: greedy answers of one student, in one prompt mode, to a slice of items, each judged.
public struct EvalShard: WorkMessage, Equatable {
    public static let typeName = "eval.shard"
    public static let schemaVersion = 1

    /// The student checkpoint folder.
    public var checkpoint: ArtifactRef
    /// The student's name in the results (`student`, `sft-4`, `dpo`, ...).
    public var model: String
    /// The items.
    public var items: ItemSlice
    /// CoT or direct prompt.
    public var mode: PromptMode
    /// Longest answer, in tokens.
    public var maxNewTokens: Int
    /// Where the per-item results go (`EvalResult` JSONL).
    public var output: ArtifactRef

    /// A shard.
    public init(checkpoint: ArtifactRef, model: String, items: ItemSlice, mode: PromptMode, maxNewTokens: Int,
                output: ArtifactRef) {
        self.checkpoint = checkpoint
        self.model = model
        self.items = items
        self.mode = mode
        self.maxNewTokens = maxNewTokens
        self.output = output
    }
}

/// One judged answer.
public struct EvalResult: Codable, Sendable, Equatable {
    /// The item.
    public var id: String
    /// Its family.
    public var family: Family
    /// The student's name.
    public var model: String
    /// The prompt mode.
    public var mode: PromptMode
    /// The judge's verdict.
    public var verdict: Verdict
    /// The answer the judge found.
    public var extracted: String?
    /// The student's whole response.
    public var response: String

    /// Whether the answer was right.
    public var correct: Bool { verdict == .correct }
}
