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
    /// Steps, batch, schedule of each mix.
    public var training: OptimizationConfig

    /// Settings.
    public init(mixes: [SFTMix], samplingMix: SFTMix = .formatDirectCoT, formatRepeats: Int = 1,
                validationLimit: Int = 64, training: OptimizationConfig) {
        self.mixes = mixes
        self.samplingMix = samplingMix
        self.formatRepeats = formatRepeats
        self.validationLimit = validationLimit
        self.training = training
    }

    private enum CodingKeys: String, CodingKey {
        case mixes, samplingMix = "sampling_mix", formatRepeats = "format_repeats",
             validationLimit = "validation_limit", training
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
    /// Steps, batch, schedule.
    public var training: OptimizationConfig

    /// Settings.
    public init(enabled: Bool = true, loss: DPOLossKind = .sigmoid, beta: Double = 0.1, nllWeight: Double = 0,
                maxWords: Int = 90, training: OptimizationConfig) {
        self.enabled = enabled
        self.loss = loss
        self.beta = beta
        self.nllWeight = nllWeight
        self.maxWords = maxWords
        self.training = training
    }

    private enum CodingKeys: String, CodingKey {
        case enabled, loss, beta, nllWeight = "nll_weight", maxWords = "max_words", training
    }

    /// The objective the trainer evaluates.
    public var objective: DPOObjective { DPOObjective(kind: loss, beta: beta, nllWeight: nllWeight) }

    func validate() throws {
        guard beta > 0 else { throw PipelineDefinitionError.invalid("dpo.beta", "must be positive") }
        guard nllWeight >= 0 else { throw PipelineDefinitionError.invalid("dpo.nll_weight", "must not be negative") }
        guard maxWords >= 0 else {
            throw PipelineDefinitionError.invalid("dpo.max_words", "must not be negative (0 keeps whole responses)")
        }
        try checked("dpo.training", training)
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
