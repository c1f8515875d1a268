import Artifacts
import Messaging
import ReasonerData

/// How the sampler draws chains (the paper: 32 per question at temperature 1.0).
public struct SamplingSettings: Codable, Sendable, Equatable {
    /// Chains per item.
    public var chainsPerItem: Int
    /// Softmax temperature.
    public var temperature: Float
    /// Nucleus mass (1: off).
    public var topP: Float
    /// Longest chain, in tokens.
    public var maxNewTokens: Int
    /// Items per shard (one message each): shards are what several samplers share.
    public var itemsPerShard: Int
    /// The first this many training items of each family are sampled; 0: all of them.
    public var itemsPerFamily: Int
    /// Seed of the draws.
    public var seed: UInt64

    /// Settings.
    public init(chainsPerItem: Int = 16, temperature: Float = 1.0, topP: Float = 1.0, maxNewTokens: Int = 160,
                itemsPerShard: Int = 40, itemsPerFamily: Int = 0, seed: UInt64 = 0) {
        self.chainsPerItem = chainsPerItem
        self.temperature = temperature
        self.topP = topP
        self.maxNewTokens = maxNewTokens
        self.itemsPerShard = itemsPerShard
        self.itemsPerFamily = itemsPerFamily
        self.seed = seed
    }

    private enum CodingKeys: String, CodingKey {
        case chainsPerItem = "chains_per_item", temperature, topP = "top_p", maxNewTokens = "max_new_tokens",
             itemsPerShard = "items_per_shard", itemsPerFamily = "items_per_family", seed
    }

    /// Rejects settings no sampler can honour.
    public func validate(_ section: String) throws {
        guard chainsPerItem >= 1 else { throw PipelineDefinitionError.invalid("\(section).chains_per_item", "must be at least 1") }
        guard temperature >= 0 else { throw PipelineDefinitionError.invalid("\(section).temperature", "must not be negative") }
        guard topP > 0, topP <= 1 else { throw PipelineDefinitionError.invalid("\(section).top_p", "must be in (0, 1]") }
        guard maxNewTokens >= 1 else { throw PipelineDefinitionError.invalid("\(section).max_new_tokens", "must be at least 1") }
        guard itemsPerShard >= 1 else { throw PipelineDefinitionError.invalid("\(section).items_per_shard", "must be at least 1") }
        guard itemsPerFamily >= 0 else {
            throw PipelineDefinitionError.invalid("\(section).items_per_family", "must not be negative (0: every item)")
        }
    }
}

/// Work for the sampler: chains of thought for a slice of items from a checkpoint, then (as a follow-up) the
/// judge's task over them.
public struct SampleShard: WorkMessage, Equatable {
    public static let typeName = "sample.shard"
    public static let schemaVersion = 1

    /// The student checkpoint folder.
    public var checkpoint: ArtifactRef
    /// The items.
    public var items: ItemSlice
    /// How chains are drawn.
    public var sampling: SamplingSettings
    /// Where the chains go (`SampledChains` JSONL).
    public var output: ArtifactRef
    /// The judge's task over the chains, published once they are written.
    public var judge: JudgeTask

    /// A shard.
    public init(checkpoint: ArtifactRef, items: ItemSlice, sampling: SamplingSettings, output: ArtifactRef,
                judge: JudgeTask) {
        self.checkpoint = checkpoint
        self.items = items
        self.sampling = sampling
        self.output = output
        self.judge = judge
    }
}
