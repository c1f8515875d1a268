import Training

/// Pretraining a fresh student (when the run names no student checkpoint): its size, its tokenizer's vocabulary,
/// and the caption + drill run that teaches it to see (the analogue of LLaVA's alignment stage).
public struct PretrainSettings: Codable, Sendable, Equatable {
    /// `reference` (64×64 images, vision d128×2, decoder d128×4) or `tiny` (tests of the machinery).
    public var scale: ModelScale
    /// Tokenizer vocabulary size (the tokenizer is trained on the run's rows).
    public var vocabularySize: Int
    /// Decoder context, image patches included.
    public var contextLength: Int
    /// Steps, batch, schedule.
    public var training: OptimizationConfig

    /// Settings.
    public init(scale: ModelScale, vocabularySize: Int, contextLength: Int, training: OptimizationConfig) {
        self.scale = scale
        self.vocabularySize = vocabularySize
        self.contextLength = contextLength
        self.training = training
    }

    private enum CodingKeys: String, CodingKey {
        case scale, vocabularySize = "vocabulary_size", contextLength = "context_length", training
    }

    func validate() throws {
        guard vocabularySize >= 300 else {
            throw PipelineDefinitionError.invalid("pretrain.vocabulary_size", "must be at least 300 (bytes and specials)")
        }
        guard contextLength >= 64 else {
            throw PipelineDefinitionError.invalid("pretrain.context_length", "must be at least 64 tokens")
        }
        try checked("pretrain.training", training)
    }
}

/// Supervised fine-tuning: the paper's mixes (① format, ② + direct, ③ + CoT, ④ + direct + CoT), each trained from
/// the same base with the same budget, so they differ only in data.
public struct SFTSettings: Codable, Sendable, Equatable {
    /// The mixes trained, by name (`format`, `format+direct`, `format+cot`, `format+direct+cot`). Empty: no SFT
    /// (the run's student is sampled and evaluated as it is).
    public var mixes: [SFTMix]
    /// The mix whose student is sampled for DPO pairs and then trained with DPO (the paper's ④).
    public var samplingMix: SFTMix
    /// Repeats of the format set in every mix.
    public var formatRepeats: Int
    /// Validation rows (direct answers of the validation split) whose loss is logged every `validate_every` steps.
    public var validationLimit: Int
    /// Passes over each mix's own data (the paper: one epoch each, so ④ sees both the direct and the CoT rows);
    /// each mix then trains `ceil(epochs × examples / (batch × accumulation))` steps. 0: every mix trains
    /// `training.steps` steps (the same budget, as earlier runs did: then ④ sees half the rationales ③ sees).
    public var epochs: Int
    /// Steps (when `epochs` is 0), batch, schedule of each mix.
    public var training: OptimizationConfig

    /// Settings.
    public init(mixes: [SFTMix], samplingMix: SFTMix = .formatDirectCoT, formatRepeats: Int = 1,
                validationLimit: Int = 64, epochs: Int = 0, training: OptimizationConfig) {
        self.mixes = mixes
        self.samplingMix = samplingMix
        self.formatRepeats = formatRepeats
        self.validationLimit = validationLimit
        self.epochs = epochs
        self.training = training
    }

    private enum CodingKeys: String, CodingKey {
        case mixes, samplingMix = "sampling_mix", formatRepeats = "format_repeats",
             validationLimit = "validation_limit", epochs, training
    }

    /// The optimisation of a mix of `examples` examples: `training` with its steps set by `epochs` (when > 0).
    public func optimization(examples: Int) -> OptimizationConfig {
        DPOSettings.steps(training, epochs: epochs, examples: examples)
    }

    func validate() throws {
        guard !mixes.contains(.pretrain) else {
            throw PipelineDefinitionError.invalid("sft.mixes", "lists pretrain; pretraining has its own section")
        }
        guard mixes.isEmpty || mixes.contains(samplingMix) else {
            throw PipelineDefinitionError.invalid("sft.sampling_mix", "is \(samplingMix.rawValue), which sft.mixes "
                                                  + "does not train; add it to sft.mixes")
        }
        guard formatRepeats >= 1 else {
            throw PipelineDefinitionError.invalid("sft.format_repeats", "must be at least 1")
        }
        guard validationLimit >= 0 else {
            throw PipelineDefinitionError.invalid("sft.validation_limit", "must not be negative")
        }
        guard epochs >= 0 else {
            throw PipelineDefinitionError.invalid("sft.epochs", "must not be negative (0: training.steps steps)")
        }
        try checked("sft.training", training)
    }
}

/// Direct preference optimisation of the sampled mix's student on the judge's pairs.
public struct DPOSettings: Codable, Sendable, Equatable {
    /// Whether the run trains with DPO at all.
    public var enabled: Bool
    /// `sigmoid` (the paper's), `ipo` or `hinge`.
    public var loss: DPOLossKind
    /// β, the tie to the reference (the paper's 0.1).
    public var beta: Double
    /// Weight of the chosen response's per-token NLL (0: off).
    public var nllWeight: Double
    /// Responses are truncated to their first this many words (the paper's 90); 0 keeps them whole.
    public var maxWords: Int
    /// DPO trains only when the sampled student answered at least this share of its sampled chains right: below it
    /// most "chosen" chains are lucky guesses (calibration.md, trial 2), and the run reports DPO as not trained.
    public var minSampledAccuracy: Double
    /// The rows beyond the paper's DPO trained beside it (`rpo`, `full_length`, `rft`, `iterative`).
    public var variants: [DPOVariant]
    /// The NLL weight of the `rpo` variant (DPO + NLL on the chosen chain).
    public var rpoNLLWeight: Double
    /// Passes over the pairs (the paper: one); 0: `training.steps` steps.
    public var epochs: Int
    /// Steps (when `epochs` is 0), batch, schedule.
    public var training: OptimizationConfig

    /// Settings.
    public init(enabled: Bool = true, loss: DPOLossKind = .sigmoid, beta: Double = 0.1, nllWeight: Double = 0,
                maxWords: Int = 90, minSampledAccuracy: Double = 0, variants: [DPOVariant] = [],
                rpoNLLWeight: Double = 1, epochs: Int = 0, training: OptimizationConfig) {
        self.enabled = enabled
        self.loss = loss
        self.beta = beta
        self.nllWeight = nllWeight
        self.maxWords = maxWords
        self.minSampledAccuracy = minSampledAccuracy
        self.variants = variants
        self.rpoNLLWeight = rpoNLLWeight
        self.epochs = epochs
        self.training = training
    }

    /// The optimisation of a DPO job over `pairs` pairs: `training` with its steps set by `epochs` (when > 0).
    public func optimization(pairs: Int) -> OptimizationConfig {
        Self.steps(training, epochs: epochs, examples: pairs)
    }

    /// `config` with `ceil(epochs × examples / (batch × accumulation))` steps when `epochs` > 0.
    static func steps(_ config: OptimizationConfig, epochs: Int, examples: Int) -> OptimizationConfig {
        guard epochs > 0 else { return config }
        var config = config
        let perStep = max(1, config.batchSize * config.accumulation)
        config.steps = max(1, (epochs * examples + perStep - 1) / perStep)
        config.warmupSteps = min(config.warmupSteps, config.steps)
        config.checkpointEvery = min(config.checkpointEvery, config.steps)
        return config
    }

    private enum CodingKeys: String, CodingKey {
        case enabled, loss, beta, nllWeight = "nll_weight", maxWords = "max_words",
             minSampledAccuracy = "min_sampled_accuracy", variants, rpoNLLWeight = "rpo_nll_weight", epochs,
             training
    }

    /// The objective the trainer evaluates.
    public var objective: DPOObjective { DPOObjective(kind: loss, beta: beta, nllWeight: nllWeight) }

    func validate() throws {
        guard beta > 0 else { throw PipelineDefinitionError.invalid("dpo.beta", "must be positive") }
        guard nllWeight >= 0 else { throw PipelineDefinitionError.invalid("dpo.nll_weight", "must not be negative") }
        guard maxWords >= 0 else {
            throw PipelineDefinitionError.invalid("dpo.max_words", "must not be negative (0 keeps whole responses)")
        }
        guard (0...1).contains(minSampledAccuracy) else {
            throw PipelineDefinitionError.invalid("dpo.min_sampled_accuracy", "must be a share in [0, 1]")
        }
        guard rpoNLLWeight >= 0 else {
            throw PipelineDefinitionError.invalid("dpo.rpo_nll_weight", "must not be negative")
        }
        guard epochs >= 0 else {
            throw PipelineDefinitionError.invalid("dpo.epochs", "must not be negative (0: training.steps steps)")
        }
        try checked("dpo.training", training)
    }
}

/// A row of the table beyond the paper's DPO, trained from the same sampled student on the same judged chains.
public enum DPOVariant: String, Codable, Sendable, CaseIterable {
    /// DPO + NLL on the chosen chain (RPO, Pang et al. 2024): `dpo-rpo`.
    case rpo
    /// DPO without truncating responses to 90 words (the paper's ablation): `dpo-full`.
    case fullLength = "full_length"
    /// Rejection-sampling fine-tuning, the paper's baseline: SFT on the correct sampled chains (`rft`).
    case rft
    /// Iterative DPO: a second round of sampling and DPO from the first round's model (`dpo-2`).
    case iterative

    /// The student the variant trains.
    public var student: String {
        switch self {
        case .rpo: "dpo-rpo"
        case .fullLength: "dpo-full"
        case .rft: "rft"
        case .iterative: "dpo-2"
        }
    }
}

/// Training settings the trainers would refuse, reported under the document's key.
private func checked(_ section: String, _ config: OptimizationConfig) throws {
    do {
        try config.validate()
    } catch .invalidConfiguration(let problem) {
        throw PipelineDefinitionError.invalid(section, "is not usable: \(problem)")
    } catch {
        throw PipelineDefinitionError.invalid(section, "is not usable: \(error)")
    }
}
