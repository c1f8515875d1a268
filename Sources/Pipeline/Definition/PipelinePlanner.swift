import Artifacts
import Foundation
import Messaging
import ReasonerData

/// The stages of a ``PipelineDefinition`` as work: the run's suite is generated under `runs/<id>/data` when the
/// first stage is planned, then each stage's messages are cut from it and from the earlier stages' outputs.
public struct PipelinePlanner: RunPlanner {
    /// What the run does.
    public let definition: PipelineDefinition
    /// The artifacts volume.
    public let artifacts: ArtifactStore

    /// Distillation, then — with a student — sampling with judging, evaluation and the report.
    public var stages: [String] {
        definition.student.checkpoint.isEmpty ? ["distill"] : ["distill", "sample", "evaluate", "report"]
    }

    /// The students evaluated, by name, with their checkpoints.
    func students() throws -> [(name: String, checkpoint: ArtifactRef)] {
        definition.student.checkpoint.isEmpty ? [] : [("student", try ArtifactRef(definition.student.checkpoint))]
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
        case "sample":
            return try samplePlan(runID: runID, manifest: manifest,
                                  checkpoint: try ArtifactRef(definition.student.checkpoint))
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

    /// The sample stage: the training split in shards for the samplers; each shard's judge task is its follow-up,
    /// and the stage is done when every shard is judged.
    private func samplePlan(runID: String, manifest: SuiteManifest, checkpoint: ArtifactRef) throws -> StagePlan {
        let layout = RunLayout(runID: runID)
        let items = try layout.data.appending("train.jsonl")
        let count = manifest.counts.values.reduce(0) { $0 + ($1["train"] ?? 0) }
        var messages: [OutgoingMessage] = [], awaited: [String] = []
        for (index, slice) in ItemSlice.slices(of: items, count: count, size: definition.sample.itemsPerShard)
            .enumerated() {
            let judge = JudgeTask(items: items, samples: try layout.samples(index), output: try layout.pairs(index),
                                  pairs: definition.pairs.builder, checkChosenChains: definition.pairs.checkChosenChains)
            let shard = SampleShard(checkpoint: checkpoint, items: slice, sampling: definition.sample,
                                    output: try layout.samples(index), judge: judge)
            let id = "\(runID).sample.\(index)"
            messages.append(FleetTopology.work(FleetTopology.Queue.sampler, try Envelope(shard, id: id, runID: runID)))
            awaited.append(id + ".judge")
        }
        return StagePlan(stage: "sample", messages: messages, awaited: awaited)
    }

    /// The evaluation shards: every student × mode × slice of the evaluated split.
    private func evaluateShards(runID: String, manifest: SuiteManifest) throws -> [(id: String, shard: EvalShard)] {
        let layout = RunLayout(runID: runID)
        let settings = definition.evaluate
        let split = settings.split.rawValue
        let items = try layout.data.appending("\(split).jsonl")
        let count = manifest.counts.values.reduce(0) { $0 + ($1[split] ?? 0) }
        let slices = ItemSlice.slices(of: items, count: count, size: settings.itemsPerShard)
        var shards: [(String, EvalShard)] = []
        for (model, checkpoint) in try students() {
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
        StagePlan(stage: "evaluate", messages: try evaluateShards(runID: runID, manifest: manifest).map { id, shard in
            FleetTopology.work(FleetTopology.Queue.evaluator, try Envelope(shard, id: id, runID: runID))
        })
    }

    /// `eval/summary.json` and `eval/results.md` from every evaluation shard's results.
    private func writeReport(runID: String, manifest: SuiteManifest) throws {
        var results: [EvalResult] = []
        for (_, shard) in try evaluateShards(runID: runID, manifest: manifest) {
            results += try RowFiles.read(EvalResult.self, path: try artifacts.path(of: shard.output)).rows
        }
        let report = EvaluationReport.summarise(results, models: try students().map(\.name),
                                                resamples: definition.evaluate.bootstrapSamples,
                                                seed: definition.evaluate.seed)
        let folder = try RunLayout(runID: runID).evaluations
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try artifacts.write(try encoder.encode(report), to: try folder.appending("summary.json"))
        let title = "# \(definition.name): run \(runID)\n\nSplit `\(definition.evaluate.split.rawValue)`, "
            + "\(results.count) judged answers.\n\n"
        try artifacts.write(Data((title + report.markdown).utf8), to: try folder.appending("results.md"))
    }

    private func distillPlan(runID: String, manifest: SuiteManifest) throws -> StagePlan {
        StagePlan(stage: "distill", messages: try distillStage(runID: runID, manifest: manifest).messages())
    }
}
