import Messaging

/// Rationales for the training split, in batches for the distillers (the offline teacher, or an endpoint).
struct DistillStage: PipelineStage {
    let name = StageName.distill

    /// The run's distillation in batches.
    static func batches(_ context: StageContext) throws -> DistillBatches {
        let trainCount = try context.manifest().counts.values.reduce(0) { $0 + ($1["train"] ?? 0) }
        return DistillBatches(runID: context.runID, dataset: try context.layout.data.appending("train.jsonl"),
                              itemCount: trainCount, batchSize: context.definition.distill.batchSize,
                              teacher: try context.definition.distill.teacherSpec(seed: context.definition.suite.seed))
    }

    func plan(_ context: StageContext) throws -> StagePlan {
        StagePlan(stage: name.rawValue, messages: try Self.batches(context).messages())
    }
}
