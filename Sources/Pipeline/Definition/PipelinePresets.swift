import ReasonerData
import Training

/// The named starting points of a pipeline document — the one vocabulary of a run's settings (`reasoner submit
/// --print-preset quick` prints every one with its value). Both start from the shipped base model and train the
/// paper's recipe: the four SFT mixes one epoch each over their own data, 32 chains per question at temperature 1
/// from ④, pairs in the [0.25, 0.85] window (≤ 3 per question, chosen chains checked against the scene), sigmoid DPO
/// (β 0.1, responses cut to 90 words), the DPO reward as a verifier, and greedy CoT and direct evaluation.
public enum PipelinePreset: String, CaseIterable, Sendable {
    /// Minutes on 2 cores: `reasoner demo`.
    case quick
    /// The size the docs report (`reasoner experiment paper-table`).
    case full

    /// The preset's definition.
    public var definition: PipelineDefinition {
        switch self {
        case .quick: .quick
        case .full: .full
        }
    }
}

extension PipelineDefinition {
    /// The demo's size: a small suite, every stage of the recipe, a few minutes of training from the base.
    static var quick: PipelineDefinition {
        var suite = SuiteConfig()
        suite.train = 150
        suite.validation = 20
        suite.test = 40
        suite.formatPerFamily = 20
        suite.pretrainPerFamily = 150
        return PipelineDefinition(
            name: "quick", suite: suite,
            distill: DistillSettings(teacher: "offline", offlineErrorRate: 0.15, batchSize: 100, budgetDollars: 0),
            student: StudentSource(),
            pretrain: PretrainSettings(scale: .reference, vocabularySize: 512, contextLength: 320,
                                       training: OptimizationConfig(steps: 500, batchSize: 16, learningRate: 2e-3,
                                                                    minLearningRate: 2e-4, warmupSteps: 20,
                                                                    validateEvery: 100, checkpointEvery: 100)),
            sft: SFTSettings(mixes: [.format, .formatDirect, .formatCoT, .formatDirectCoT],
                             samplingMix: .formatDirectCoT, formatRepeats: 2, validationLimit: 64, epochs: 3,
                             training: OptimizationConfig(steps: 150, batchSize: 16, learningRate: 1e-3,
                                                          minLearningRate: 1e-4, warmupSteps: 10, validateEvery: 50,
                                                          checkpointEvery: 50)),
            sample: SamplingSettings(chainsPerItem: 16, temperature: 1, maxNewTokens: 120, itemsPerShard: 25,
                                     itemsPerFamily: 30),
            pairs: PairSettings(builder: PairConfig(), checkChosenChains: true),
            dpo: DPOSettings(loss: .sigmoid, beta: 0.1, maxWords: 90, minSampledAccuracy: 0.1, epochs: 1,
                             training: OptimizationConfig(steps: 20, batchSize: 8, learningRate: 1e-5, warmupSteps: 2,
                                                          checkpointEvery: 10)),
            verifier: VerifierSettings(enabled: false),
            evaluate: EvaluationSettings(modes: [.cot, .direct], split: .test, itemsPerShard: 50, itemsPerFamily: 40,
                                         maxNewTokens: 120, bootstrapSamples: 1_000))
    }

    /// The reported size: 2,000 training questions per family, ≥ 300 test items per family, enough sampled
    /// questions for over 1,000 pairs, every extra row, the verifier at N = 1…32.
    static var full: PipelineDefinition {
        var definition = quick
        definition.name = "full"
        definition.suite.train = 2000
        definition.suite.validation = 50
        definition.suite.test = 300
        definition.suite.formatPerFamily = 40
        definition.suite.pretrainPerFamily = 1500
        definition.distill.batchSize = 250
        definition.pretrain.training = OptimizationConfig(steps: 1500, batchSize: 32, learningRate: 2e-3,
                                                          minLearningRate: 2e-4, warmupSteps: 50, validateEvery: 250,
                                                          checkpointEvery: 100)
        definition.sft.formatRepeats = 4
        definition.sft.epochs = 1  // the paper's one epoch; `quick`'s 150 items per family need 3 (docs/results.md)
        definition.sft.training = OptimizationConfig(steps: 400, batchSize: 32, learningRate: 1e-3,
                                                     minLearningRate: 1e-4, warmupSteps: 20, validateEvery: 100,
                                                     checkpointEvery: 100)
        definition.sample = SamplingSettings(chainsPerItem: 32, temperature: 1, maxNewTokens: 160, itemsPerShard: 50,
                                             itemsPerFamily: 300)
        definition.dpo.minSampledAccuracy = 0.2
        definition.dpo.variants = [.rpo, .fullLength, .rft, .iterative]
        definition.dpo.training = OptimizationConfig(steps: 150, batchSize: 16, learningRate: 1e-5, warmupSteps: 10,
                                                     checkpointEvery: 50)
        definition.verifier = VerifierSettings(enabled: true, sampling: SamplingSettings(
            chainsPerItem: 32, temperature: 1, maxNewTokens: 160, itemsPerShard: 10, itemsPerFamily: 60))
        definition.evaluate.itemsPerShard = 100
        definition.evaluate.itemsPerFamily = 300
        definition.evaluate.maxNewTokens = 160
        return definition
    }

    /// The definition with every seed set from one: the suite (and so the teacher), the batch orders, sampling,
    /// the verifier and the bootstraps (one run of an experiment's seeds).
    public func seeded(_ seed: UInt64) -> PipelineDefinition {
        var copy = self
        copy.suite.seed = seed
        copy.pretrain.training.seed = seed
        copy.sft.training.seed = seed
        copy.sample.seed = seed
        copy.pairs.builder.seed = seed
        copy.dpo.training.seed = seed
        copy.verifier.sampling.seed = seed
        copy.evaluate.seed = seed
        return copy
    }
}
