import Artifacts
import Messaging
import ReasonerData

/// Greedy answers of every trained student to the evaluated items, with each prompt mode, in shards.
struct EvaluateStage: PipelineStage {
    let name = StageName.evaluate

    /// The evaluation shards: every student × mode × slice of the evaluated items.
    static func shards(_ context: StageContext) throws -> [(id: String, shard: EvalShard)] {
        let settings = context.definition.evaluate, layout = context.layout
        let items = try ItemSubsets.ref(split: settings.split, perFamily: settings.itemsPerFamily, context: context)
        let slices = ItemSlice.slices(of: items, count: try context.lineCount(items), size: settings.itemsPerShard)
        var shards: [(String, EvalShard)] = []
        for (model, checkpoint) in try RunStudents(context: context).evaluated() {
            for mode in settings.modes {
                for (index, slice) in slices.enumerated() {
                    shards.append(("\(context.runID).eval.\(model).\(mode.rawValue).\(index)", EvalShard(
                        checkpoint: checkpoint, model: model, items: slice, mode: mode,
                        maxNewTokens: settings.maxNewTokens,
                        output: try layout.evaluation(model: model, mode: mode.rawValue, shard: index))))
                }
            }
        }
        return shards
    }

    func plan(_ context: StageContext) throws -> StagePlan {
        StagePlan(stage: name.rawValue, messages: try Self.shards(context).map { id, shard in
            FleetTopology.work(FleetTopology.Queue.evaluator, try Envelope(shard, id: id, runID: context.runID))
        })
    }
}

/// The DPO reward as a verifier: chains from the sampling mix's student on test items, scored by the DPO student
/// (nothing when DPO did not train).
struct VerifierStage: PipelineStage {
    let name = StageName.verifier

    /// The verifier's shards, or none when the verifier is off or DPO did not train.
    static func shards(_ context: StageContext) throws -> [(id: String, shard: VerifierShard)] {
        guard context.definition.verifier.enabled else { return [] }
        let students = RunStudents(context: context)
        guard let dpo = try students.trained(RunStudents.dpo) else { return [] }
        let settings = context.definition.verifier, layout = context.layout
        let items = try ItemSubsets.ref(split: context.definition.evaluate.split,
                                        perFamily: settings.sampling.itemsPerFamily, context: context)
        let slices = ItemSlice.slices(of: items, count: try context.lineCount(items),
                                      size: settings.sampling.itemsPerShard)
        let sft = try students.sampled()
        return try slices.enumerated().map { index, slice in
            ("\(context.runID).verifier.\(index)",
             VerifierShard(sft: sft, dpo: dpo, beta: context.definition.dpo.beta, items: slice,
                           sampling: settings.sampling, output: try layout.verifier(index)))
        }
    }

    func plan(_ context: StageContext) throws -> StagePlan {
        StagePlan(stage: name.rawValue, messages: try Self.shards(context).map { id, shard in
            FleetTopology.work(FleetTopology.Queue.verifier, try Envelope(shard, id: id, runID: context.runID))
        })
    }
}
