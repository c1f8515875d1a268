import ReasonerData

/// What a run does, from data to evaluation: the document `reasoner submit PIPELINE.yaml` reads (YAML or JSON,
/// snake_case keys). A file names a preset (`quick` or `full`) and overrides only what it changes:
///
/// ```yaml
/// preset: quick
/// name: chart-only
/// suite: { families: [chart], train: 300 }
/// distill: { batch_size: 50 }
/// ```
public struct PipelineDefinition: Codable, Sendable, Equatable {
    /// A label for people (the run id is separate).
    public var name: String
    /// The synthetic suite the run generates and learns from.
    public var suite: SuiteConfig
    /// How rationales are distilled.
    public var distill: DistillSettings
    /// Where the student comes from.
    public var student: StudentSource
    /// Pretraining a fresh student (used when `student.checkpoint` is empty: a run from scratch).
    public var pretrain: PretrainSettings
    /// The SFT mixes trained from the student.
    public var sft: SFTSettings
    /// How chains are sampled from the student for DPO pairs (the training split).
    public var sample: SamplingSettings
    /// Which questions and chains make DPO pairs.
    public var pairs: PairSettings
    /// DPO of the sampled mix's student on the pairs.
    public var dpo: DPOSettings
    /// The DPO reward as a verifier of sampled chains.
    public var verifier: VerifierSettings
    /// How the students are evaluated.
    public var evaluate: EvaluationSettings

    private enum CodingKeys: String, CodingKey {
        case name, suite, distill, student, pretrain, sft, sample, pairs, dpo, verifier, evaluate
    }

    /// Rejects settings no stage can honour.
    public func validate() throws {
        try suite.validate()
        try distill.validate()
        try pretrain.validate()
        try sft.validate()
        try sample.validate("sample")
        try pairs.validate()
        try dpo.validate()
        try verifier.validate()
        try evaluate.validate()
    }
}

/// The student a run starts from.
public struct StudentSource: Codable, Sendable, Equatable {
    /// A checkpoint folder in the artifacts volume to start from (relative to its root). The default is the shipped
    /// base model (`models/reasoner-base-v1`, copied into the volume when the run is submitted); empty: a fresh
    /// student is pretrained from scratch in the run (the `pretrain` stage).
    public var checkpoint: String

    /// A source; by default the shipped base.
    public init(checkpoint: String = ShippedModels.ref(ShippedModels.defaultBase)) {
        self.checkpoint = checkpoint
    }
}

/// The judge's pair building: the paper's window of sampled accuracy and pairs per question.
public struct PairSettings: Codable, Sendable, Equatable {
    /// Window, pair count and seed.
    public var builder: PairConfig
    /// Keep only chosen chains whose intermediate values are right for the scene (not lucky guesses).
    public var checkChosenChains: Bool

    /// Settings.
    public init(builder: PairConfig = PairConfig(), checkChosenChains: Bool = true) {
        self.builder = builder
        self.checkChosenChains = checkChosenChains
    }

    private enum CodingKeys: String, CodingKey {
        case builder, checkChosenChains = "check_chosen_chains"
    }

    func validate() throws {
        guard (0...1).contains(builder.minAccuracy), (0...1).contains(builder.maxAccuracy),
              builder.minAccuracy <= builder.maxAccuracy else {
            throw PipelineDefinitionError.invalid("pairs.builder", "needs 0 <= min_accuracy <= max_accuracy <= 1")
        }
        guard builder.maxPairs >= 1 else {
            throw PipelineDefinitionError.invalid("pairs.builder.max_pairs", "must be at least 1")
        }
    }
}

/// The distill stage's settings.
public struct DistillSettings: Codable, Sendable, Equatable {
    /// `offline` (the suite's scene-based teacher, no network) or `endpoint` (the OpenAI-compatible server in the
    /// distillers' environment).
    public var teacher: String
    /// The offline teacher's share of wrong rationales (a misreading or a wrong step), which the answer filter drops.
    public var offlineErrorRate: Double
    /// Items per distillation batch (one message each).
    public var batchSize: Int
    /// Stop enqueuing batches once the teacher's cost reaches this many dollars; 0 means no budget.
    public var budgetDollars: Double

    private enum CodingKeys: String, CodingKey {
        case teacher, offlineErrorRate = "offline_error_rate", batchSize = "batch_size", budgetDollars = "budget_dollars"
    }

    /// The teacher of the distill batches (the offline teacher's seed is the suite's).
    public func teacherSpec(seed: UInt64) throws -> TeacherSpec {
        switch teacher {
        case "offline": return .offline(seed: seed, errorRate: offlineErrorRate)
        case "endpoint": return .endpoint
        default: throw PipelineDefinitionError.invalid("distill.teacher", "is \(teacher); use offline or endpoint")
        }
    }

    func validate() throws {
        _ = try teacherSpec(seed: 0)
        guard (0...1).contains(offlineErrorRate) else {
            throw PipelineDefinitionError.invalid("distill.offline_error_rate", "must be a share in [0, 1]")
        }
        guard batchSize >= 1 else { throw PipelineDefinitionError.invalid("distill.batch_size", "must be at least 1") }
        guard budgetDollars >= 0 else {
            throw PipelineDefinitionError.invalid("distill.budget_dollars", "must not be negative (0: no budget)")
        }
    }
}

/// A pipeline document that cannot be used, with the key at fault.
public enum PipelineDefinitionError: Error, Equatable, CustomStringConvertible {
    /// A setting's value is wrong.
    case invalid(String, String)
    /// A key no preset has (a typo, or a setting of another version).
    case unknownKey(String)
    /// The document is not YAML/JSON of the expected shape.
    case unreadable(String)

    public var description: String {
        switch self {
        case .invalid(let key, let problem): "pipeline setting \(key) \(problem)"
        case .unknownKey(let key): "pipeline setting \(key) is not one Reasoner knows; check its spelling "
            + "(see `reasoner submit --print-preset quick` for every setting)"
        case .unreadable(let reason): "cannot read the pipeline definition: \(reason)"
        }
    }
}
