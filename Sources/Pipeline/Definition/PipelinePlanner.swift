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

    /// Distillation, then — with a student to sample from — sampling with judging.
    public var stages: [String] { definition.student.checkpoint.isEmpty ? ["distill"] : ["distill", "sample"] }

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

    private func distillPlan(runID: String, manifest: SuiteManifest) throws -> StagePlan {
        StagePlan(stage: "distill", messages: try distillStage(runID: runID, manifest: manifest).messages())
    }
}
