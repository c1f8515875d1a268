import Model
import ReasonerData

/// Every setting of a paper-table experiment: data, model, the budget of each stage. `quick` fits a coffee break
/// on 2 cores; `full` is the one the docs report.
public struct ExperimentPreset: Codable, Sendable, Equatable {
    /// The preset's name.
    public var name: String
    /// The synthetic suite.
    public var suite: SuiteConfig
    /// The student's size: `reference` (the calibrated 64×64 student) or `tiny` (tests).
    public var modelScale: ModelScale = .reference
    /// Tokenizer vocabulary of the fresh student.
    public var vocabularySize: Int
    /// Decoder context of the student (image patches included).
    public var contextLength: Int
    /// Caption + drill pretraining.
    public var pretrain: OptimizationConfig
    /// Each SFT mix (the same budget for ①②③④, so the mixes differ only in data).
    public var sft: OptimizationConfig
    /// Repeats of the format set ① in every mix.
    public var formatRepeats: Int
    /// Training items whose chains are sampled for pairs.
    public var samplingItems: Int
    /// Chain sampling for pairs.
    public var sampling: ChainSamplingConfig
    /// Pair rules.
    public var pairs: PairConfig
    /// Whether chosen chains must have right intermediate values (calibration.md idea 5).
    public var requireRightIntermediates: Bool
    /// DPO objective.
    public var dpo: DPOObjective
    /// DPO response truncation in words (the paper's 90).
    public var dpoMaxWords: Int?
    /// DPO optimisation.
    public var dpoOptimization: OptimizationConfig
    /// Test items per family that are evaluated.
    public var evaluationItems: Int
    /// Evaluation settings.
    public var evaluation: EvaluationConfig
    /// Test items per family for the verifier.
    public var verifierItems: Int
    /// Chains per verifier item (the largest N of the curve).
    public var verifierChains: Int

    /// The student's architecture for a vocabulary: the reference student with this preset's context.
    public func modelConfig(_ vocabularySize: Int) -> VLMConfig {
        modelScale.config(vocabularySize: vocabularySize, contextLength: contextLength)
    }

    /// A preset by name.
    public static func named(_ name: String, seed: UInt64) throws(TrainingError) -> ExperimentPreset {
        switch name {
        case "quick": quick(seed: seed)
        case "full": full(seed: seed)
        default: throw .invalidConfiguration("unknown preset \"\(name)\"; use quick or full")
        }
    }

    /// About a quarter of an hour on 2 shared cores: small suite, short stages (too short for chart reading to
    /// appear — calibration.md — so it tests the machinery more than the recipe).
    public static func quick(seed: UInt64) -> ExperimentPreset {
        var suite = SuiteConfig()
        suite.seed = seed
        suite.train = 150
        suite.validation = 20
        suite.test = 40
        suite.formatPerFamily = 20
        suite.pretrainPerFamily = 150
        return ExperimentPreset(
            name: "quick", suite: suite, modelScale: .reference, vocabularySize: 512, contextLength: 320,
            pretrain: OptimizationConfig(steps: 500, batchSize: 16, learningRate: 2e-3, minLearningRate: 2e-4,
                                         warmupSteps: 20, seed: seed, validateEvery: 100, checkpointEvery: 100),
            sft: OptimizationConfig(steps: 150, batchSize: 16, learningRate: 2e-3, minLearningRate: 2e-4,
                                    warmupSteps: 10, seed: seed, validateEvery: 50, checkpointEvery: 50),
            formatRepeats: 2, samplingItems: 20,
            sampling: ChainSamplingConfig(chains: 8, temperature: 1, maxNewTokens: 120, seed: seed),
            pairs: PairConfig(), requireRightIntermediates: true,
            dpo: DPOObjective(kind: .sigmoid, beta: 0.1), dpoMaxWords: 90,
            dpoOptimization: OptimizationConfig(steps: 20, batchSize: 8, learningRate: 1e-5, warmupSteps: 2,
                                                seed: seed, checkpointEvery: 10),
            evaluationItems: 20, evaluation: EvaluationConfig(maxNewTokens: 120, itemsPerBatch: 20, seed: seed),
            verifierItems: 8, verifierChains: 8)
    }

    /// The reported run: a suite and budgets sized after calibration.md (chart reading appears after ~900 steps).
    public static func full(seed: UInt64) -> ExperimentPreset {
        var preset = quick(seed: seed)
        preset.name = "full"
        preset.suite.train = 1000
        preset.suite.validation = 50
        preset.suite.test = 200
        preset.suite.formatPerFamily = 40
        preset.suite.pretrainPerFamily = 1500
        preset.pretrain = OptimizationConfig(steps: 1500, batchSize: 32, learningRate: 2e-3, minLearningRate: 2e-4,
                                             warmupSteps: 50, seed: seed, validateEvery: 250, checkpointEvery: 100)
        preset.sft = OptimizationConfig(steps: 400, batchSize: 32, learningRate: 1e-3, minLearningRate: 1e-4,
                                        warmupSteps: 20, seed: seed, validateEvery: 100, checkpointEvery: 100)
        preset.formatRepeats = 4
        preset.samplingItems = 300
        preset.sampling.chains = 16
        preset.dpoOptimization = OptimizationConfig(steps: 150, batchSize: 16, learningRate: 1e-5, warmupSteps: 10,
                                                    seed: seed, checkpointEvery: 50)
        preset.evaluationItems = 200
        preset.verifierItems = 60
        preset.verifierChains = 16
        return preset
    }
}

/// The student sizes an experiment can use.
public enum ModelScale: String, Codable, Sendable {
    /// `VLMConfig.reference`: 64×64 images, vision d128×2, decoder d128×4.
    case reference
    /// `VLMConfig.tiny`: 8×8 images, width 32 — for tests of the pipeline, not of learning.
    case tiny

    /// The architecture at this scale for a tokenizer's vocabulary and a decoder context (image patches included).
    public func config(vocabularySize: Int, contextLength: Int) -> VLMConfig {
        var config = self == .tiny ? VLMConfig.tiny(vocabSize: vocabularySize)
                                   : VLMConfig.reference(vocabSize: vocabularySize)
        config.contextLength = contextLength
        return config
    }
}
