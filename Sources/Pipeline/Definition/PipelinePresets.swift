import ReasonerData
import Training

/// The named starting points of a pipeline document. Their suite sizes and training budgets are the experiment
/// presets' (`ExperimentPreset`), so `reasoner experiment paper-table --preset quick` and a `quick` fleet run train
/// the same recipe; the fleet adds what only it has (the teacher's error rate, batch and shard sizes).
public enum PipelinePreset: String, CaseIterable, Sendable {
    /// Minutes on 2 cores: the machinery end to end, too short for the recipe to show (docs/results.md).
    case quick
    /// The size the docs report.
    case full

    /// The preset's definition.
    public var definition: PipelineDefinition {
        switch self {
        case .quick:
            PipelineDefinition(experiment: .quick(seed: 0), distillBatch: 100, itemsPerShard: 50)
        case .full:
            PipelineDefinition(experiment: .full(seed: 0), distillBatch: 250, itemsPerShard: 100)
        }
    }
}

extension PipelineDefinition {
    /// The fleet form of an experiment preset: distillation by the offline teacher (15% wrong rationales, which the
    /// answer filter drops), every SFT mix, pairs sampled from ④, DPO on ④, direct and CoT evaluation.
    init(experiment preset: ExperimentPreset, distillBatch: Int, itemsPerShard: Int) {
        let families = preset.suite.families.count
        self.init(
            name: preset.name, suite: preset.suite,
            distill: DistillSettings(teacher: "offline", offlineErrorRate: 0.15, batchSize: distillBatch,
                                     budgetDollars: 0),
            student: StudentSource(),
            pretrain: PretrainSettings(scale: preset.modelScale, vocabularySize: preset.vocabularySize,
                                       contextLength: preset.contextLength, training: preset.pretrain),
            sft: SFTSettings(mixes: [.format, .formatDirect, .formatCoT, .formatDirectCoT],
                             samplingMix: .formatDirectCoT, formatRepeats: preset.formatRepeats,
                             training: preset.sft),
            sample: SamplingSettings(chainsPerItem: preset.sampling.chains, temperature: preset.sampling.temperature,
                                     topP: preset.sampling.topP, maxNewTokens: preset.sampling.maxNewTokens,
                                     itemsPerShard: itemsPerShard,
                                     itemsPerFamily: max(1, preset.samplingItems / max(1, families)),
                                     seed: preset.sampling.seed),
            pairs: PairSettings(builder: preset.pairs, checkChosenChains: preset.requireRightIntermediates),
            dpo: DPOSettings(loss: preset.dpo.kind, beta: preset.dpo.beta, nllWeight: preset.dpo.nllWeight,
                             maxWords: preset.dpoMaxWords ?? 0, training: preset.dpoOptimization),
            evaluate: EvaluationSettings(modes: [.cot, .direct], split: .test, itemsPerShard: itemsPerShard,
                                         itemsPerFamily: preset.evaluationItems,
                                         maxNewTokens: preset.evaluation.maxNewTokens,
                                         bootstrapSamples: preset.evaluation.resamples, seed: preset.evaluation.seed))
    }
}
