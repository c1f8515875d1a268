import Artifacts
import Messaging
import ReasonerData

/// Work for the judge: score every sampled chain of a shard against its item's annotation, then build the
/// (correct, incorrect) pairs of the questions whose sampled accuracy lies in the window.
public struct JudgeTask: WorkMessage, Equatable {
    public static let typeName = "judge.shard"
    public static let schemaVersion = 1

    /// The items the samples answer (suite-item JSONL).
    public var items: ArtifactRef
    /// The samples: JSONL rows `{"id": <item id>, "samples": [<chain>, ...]}` (what a sampler writes).
    public var samples: ArtifactRef
    /// Where the DPO rows go (`{id, image, question, chosen, rejected}` JSONL); beside it `judged` and `correct`.
    public var output: ArtifactRef
    /// The pair builder's window, limit and seed.
    public var pairs: PairConfig
    /// Keep only chosen chains whose intermediate values are right for the scene (not lucky guesses).
    public var checkChosenChains: Bool

    /// Makes a task.
    public init(items: ArtifactRef, samples: ArtifactRef, output: ArtifactRef, pairs: PairConfig = PairConfig(),
                checkChosenChains: Bool = true) {
        self.items = items
        self.samples = samples
        self.output = output
        self.pairs = pairs
        self.checkChosenChains = checkChosenChains
    }
}

extension JudgeTask {
    /// Every chain judged and checked (`JudgedChains` JSONL): `<output>.judged.jsonl`.
    public var judged: ArtifactRef { get throws { try ArtifactRef(output.path + ".judged.jsonl") } }
    /// The correct chains whose intermediate values check out, as CoT SFT rows (rejection-sampling fine-tuning's
    /// data): `<output>.correct.jsonl`.
    public var correct: ArtifactRef { get throws { try ArtifactRef(output.path + ".correct.jsonl") } }
}

/// One row of a samples file: N chains sampled for one item.
public struct SampledChains: Codable, Sendable, Equatable {
    /// The item id.
    public var id: String
    /// The chains.
    public var samples: [String]

    /// Makes a row.
    public init(id: String, samples: [String]) {
        self.id = id
        self.samples = samples
    }
}

extension SampledChains: DatasetRow {
    /// Chains have no image of their own (their item has).
    public var imagePath: String? { nil }
    /// A row needs an item id.
    public var problem: String? { id.isEmpty ? "a samples row needs the id of its item" : nil }
}
