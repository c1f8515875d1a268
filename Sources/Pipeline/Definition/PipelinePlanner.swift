import Artifacts
import Foundation
import Messaging
import ReasonerData
import Training

/// The stages of a ``PipelineDefinition`` as work: the run's suite is generated under `runs/<id>/data` when the
/// first stage is planned, then each stage's messages are cut from it and from the earlier stages' outputs.
public struct PipelinePlanner: RunPlanner {
    /// What the run does.
    public let definition: PipelineDefinition
    /// The artifacts volume.
    public let artifacts: ArtifactStore

    /// Distillation; pretraining when no student is given; an SFT run per mix; sampling with judging from the
    /// sampling mix's student; DPO of that student on the pairs; evaluation of every trained student; the report.
    public var stages: [String] {
        ["distill"] + (definition.student.checkpoint.isEmpty ? ["pretrain"] : [])
            + (definition.sft.mixes.isEmpty ? [] : ["sft"]) + ["sample"]
            + (definition.dpo.enabled ? ["dpo"] : []) + ["evaluate", "report"]
    }

    /// A planner of `definition` over `artifacts`.
    public init(definition: PipelineDefinition, artifacts: ArtifactStore) {
        self.definition = definition
        self.artifacts = artifacts
    }

    /// The planner of a registered run: its definition is read from the path in its record.
    public static func forRun(_ record: RunRecord, artifacts: ArtifactStore) throws -> PipelinePlanner {
        let data = try artifacts.read(try ArtifactRef(record.pipeline))
        return PipelinePlanner(definition: try JSONDecoder().decode(PipelineDefinition.self, from: data),
                               artifacts: artifacts)
    }

    public func plan(stage: String, runID: String) async throws -> StagePlan {
        let manifest = try suite(runID: runID)
        switch stage {
        case "distill":
            return try distillPlan(runID: runID, manifest: manifest)
        case "pretrain":
            return try pretrainPlan(runID: runID, manifest: manifest)
        case "sft":
            return try sftPlan(runID: runID, manifest: manifest)
        case "sample":
            return try samplePlan(runID: runID, checkpoint: try sampledStudent(runID: runID))
        case "dpo":
            return try dpoPlan(runID: runID)
        case "evaluate":
            return try evaluatePlan(runID: runID, manifest: manifest)
        case "report":
            try writeReport(runID: runID, manifest: manifest)
            return StagePlan(stage: "report", messages: [])
        default:
            throw PipelineDefinitionError.invalid("stage", "\(stage) is not a stage of this pipeline")
        }
    }

    /// The run's suite, generated once (the manifest is written last, so a half-written suite is generated again).
    func suite(runID: String) throws -> SuiteManifest {
        let folder = try artifacts.path(of: try RunLayout(runID: runID).data)
        let manifestPath = folder + "/manifest.json"
        if let data = FileManager.default.contents(atPath: manifestPath),
           let manifest = try? JSONDecoder().decode(SuiteManifest.self, from: data),
           manifest.config == definition.suite {
            return manifest
        }
        return try SuiteWriter.write(config: definition.suite, to: folder)
    }

    /// The distill stage: the training split in batches for the distillers.
    func distillStage(runID: String, manifest: SuiteManifest) throws -> DistillStage {
        let trainCount = manifest.counts.values.reduce(0) { $0 + ($1["train"] ?? 0) }
        return DistillStage(runID: runID, dataset: try RunLayout(runID: runID).data.appending("train.jsonl"),
                            itemCount: trainCount, batchSize: definition.distill.batchSize,
                            teacher: try definition.distill.teacherSpec(seed: definition.suite.seed))
    }

    /// The sample stage: the sampled training items in shards for the samplers; each shard's judge task is its
    /// follow-up, and the stage is done when every shard is judged.
    private func samplePlan(runID: String, checkpoint: ArtifactRef) throws -> StagePlan {
        let layout = RunLayout(runID: runID)
        var messages: [OutgoingMessage] = [], awaited: [String] = []
        for (index, slice) in try sampleSlices(runID: runID).enumerated() {
            let judge = JudgeTask(items: slice.file, samples: try layout.samples(index), output: try layout.pairs(index),
                                  pairs: definition.pairs.builder, checkChosenChains: definition.pairs.checkChosenChains)
            let shard = SampleShard(checkpoint: checkpoint, items: slice, sampling: definition.sample,
                                    output: try layout.samples(index), judge: judge)
            let id = "\(runID).sample.\(index)"
            messages.append(FleetTopology.work(FleetTopology.Queue.sampler, try Envelope(shard, id: id, runID: runID)))
            awaited.append(id + ".judge")
        }
        return StagePlan(stage: "sample", messages: messages, awaited: awaited)
    }

    /// The sampling shards' slices of the sampled training items.
    func sampleSlices(runID: String) throws -> [ItemSlice] {
        let (items, count) = try itemsSubset(runID: runID, split: "train", perFamily: definition.sample.itemsPerFamily)
        return ItemSlice.slices(of: items, count: count, size: definition.sample.itemsPerShard)
    }

    /// The items file of a split, or — with `perFamily` > 0 — of its first `perFamily` items of each family
    /// (`data/<split>-first<N>.jsonl`, written once beside the split so image paths stay relative to the suite),
    /// and its number of items.
    func itemsSubset(runID: String, split: String, perFamily: Int) throws -> (file: ArtifactRef, count: Int) {
        let data = try RunLayout(runID: runID).data
        let all = try RowFiles.read(SuiteItem.self, path: try artifacts.path(of: try data.appending("\(split).jsonl")))
        guard perFamily > 0 else { return (try data.appending("\(split).jsonl"), all.rows.count) }
        let subset = SuiteRows.firstPerFamily(all.rows, perFamily)
        let file = try data.appending("\(split)-first\(perFamily).jsonl")
        if !FileManager.default.fileExists(atPath: try artifacts.path(of: file)) {
            try artifacts.write(try RowFiles.jsonLines(subset), to: file)
        }
        return (file, subset.count)
    }

    /// The evaluation shards: every student × mode × slice of the evaluated split.
    private func evaluateShards(runID: String) throws -> [(id: String, shard: EvalShard)] {
        let layout = RunLayout(runID: runID)
        let settings = definition.evaluate
        let (items, count) = try itemsSubset(runID: runID, split: settings.split.rawValue,
                                             perFamily: settings.itemsPerFamily)
        let slices = ItemSlice.slices(of: items, count: count, size: settings.itemsPerShard)
        var shards: [(String, EvalShard)] = []
        for (model, checkpoint) in try students(runID: runID) {
            for mode in settings.modes {
                for (index, slice) in slices.enumerated() {
                    shards.append(("\(runID).eval.\(model).\(mode.rawValue).\(index)", EvalShard(
                        checkpoint: checkpoint, model: model, items: slice, mode: mode,
                        maxNewTokens: settings.maxNewTokens,
                        output: try layout.evaluation(model: model, mode: mode.rawValue, shard: index))))
                }
            }
        }
        return shards
    }

    private func evaluatePlan(runID: String, manifest: SuiteManifest) throws -> StagePlan {
        StagePlan(stage: "evaluate", messages: try evaluateShards(runID: runID).map { id, shard in
            FleetTopology.work(FleetTopology.Queue.evaluator, try Envelope(shard, id: id, runID: runID))
        })
    }

    /// `eval/summary.json` and `eval/results.md` from every evaluation shard's results.
    private func writeReport(runID: String, manifest: SuiteManifest) throws {
        var results: [EvalResult] = []
        for (_, shard) in try evaluateShards(runID: runID) {
            results += try RowFiles.read(EvalResult.self, path: try artifacts.path(of: shard.output)).rows
        }
        let report = EvaluationReport.summarise(results, models: try students(runID: runID).map(\.name),
                                                resamples: definition.evaluate.bootstrapSamples,
                                                seed: definition.evaluate.seed)
        let folder = try RunLayout(runID: runID).evaluations
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try artifacts.write(try encoder.encode(report), to: try folder.appending("summary.json"))
        let title = "# \(definition.name): run \(runID)\n\nSplit `\(definition.evaluate.split.rawValue)`, "
            + "\(results.count) judged answers.\n\n"
        try artifacts.write(Data((title + report.markdown + "\nPlots: `loss.svg`, `dpo.svg` (when DPO ran).\n").utf8),
                            to: try folder.appending("results.md"))
        try writePlots(runID: runID, into: folder)
    }

    /// `loss.svg` (pretraining and every SFT mix) and, when DPO trained, `dpo.svg` (reward margins and accuracies).
    private func writePlots(runID: String, into folder: ArtifactRef) throws {
        let layout = RunLayout(runID: runID)
        let url = { (job: String) in URL(fileURLWithPath: try self.artifacts.path(of: try layout.checkpoint(job))) }
        let jobs = (stages.contains("pretrain") ? [("pretrain", "pretrain")] : [])
            + definition.sft.mixes.map { ($0.label, Self.studentName($0)) }
        if !jobs.isEmpty {
            let loss = TrainingPlots.loss(try jobs.map { ($0.0, try url($0.1)) })
            try artifacts.write(Data(loss.render().utf8), to: try folder.appending("loss.svg"))
        }
        if try trainedCheckpoint(runID: runID, model: "dpo") != nil {
            try artifacts.write(Data(TrainingPlots.dpo(try url("dpo")).render().utf8), to: try folder.appending("dpo.svg"))
        }
    }

    private func distillPlan(runID: String, manifest: SuiteManifest) throws -> StagePlan {
        StagePlan(stage: "distill", messages: try distillStage(runID: runID, manifest: manifest).messages())
    }
}
