import Artifacts
import Messaging

/// Work for the verifier (the evaluator process's second queue): chains sampled from the SFT student for a slice of
/// test items, judged, and scored by the DPO reward β·(log π_DPO − log π_SFT) — the paper's DPO-as-verifier.
public struct VerifierShard: WorkMessage, Equatable {
    public static let typeName = "verifier.shard"
    public static let schemaVersion = 1

    /// The student whose chains are ranked (the reference of the DPO student).
    public var sft: ArtifactRef
    /// The DPO student whose reward ranks them.
    public var dpo: ArtifactRef
    /// The reward's β (the DPO run's).
    public var beta: Double
    /// The test items.
    public var items: ItemSlice
    /// How the chains are drawn.
    public var sampling: SamplingSettings
    /// Where the rewarded chains go (`RewardedChains` JSONL).
    public var output: ArtifactRef

    /// A shard.
    public init(sft: ArtifactRef, dpo: ArtifactRef, beta: Double, items: ItemSlice, sampling: SamplingSettings,
                output: ArtifactRef) {
        self.sft = sft
        self.dpo = dpo
        self.beta = beta
        self.items = items
        self.sampling = sampling
        self.output = output
    }
}
