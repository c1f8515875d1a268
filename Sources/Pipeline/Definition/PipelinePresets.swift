import ReasonerData

/// The named starting points of a pipeline document.
public enum PipelinePreset: String, CaseIterable, Sendable {
    /// Small enough for a laptop or CI: a few hundred items per family.
    case quick
    /// The size the docs report.
    case full

    /// The preset's definition.
    public var definition: PipelineDefinition {
        var suite = SuiteConfig()
        switch self {
        case .quick:
            suite.train = 200
            suite.validation = 20
            suite.test = 100
            suite.pretrainPerFamily = 400
            return PipelineDefinition(
                name: "quick", suite: suite,
                distill: DistillSettings(teacher: "offline", offlineErrorRate: 0.15, batchSize: 100, budgetDollars: 0),
                student: StudentSource(),
                sample: SamplingSettings(chainsPerItem: 8, temperature: 1.0, maxNewTokens: 160, itemsPerShard: 50),
                pairs: PairSettings(), evaluate: EvaluationSettings(itemsPerShard: 50))
        case .full:
            return PipelineDefinition(
                name: "full", suite: suite,
                distill: DistillSettings(teacher: "offline", offlineErrorRate: 0.15, batchSize: 250, budgetDollars: 0),
                student: StudentSource(),
                sample: SamplingSettings(chainsPerItem: 32, temperature: 1.0, maxNewTokens: 160, itemsPerShard: 100),
                pairs: PairSettings(), evaluate: EvaluationSettings(itemsPerShard: 100))
        }
    }
}
