import Artifacts
import Foundation
import Messaging
import ReasonerData
import Training

/// The stages of a ``PipelineDefinition`` as types (`Stages/`): prepare (the runner writes the suite) → distill →
/// pretrain (runs from scratch) → the SFT mixes → sample and judge → DPO and its extra rows → iterative DPO's
/// second round → the verifier → evaluate → report (the runner writes the tables). Each stage's plan is a pure
/// function of the definition and what earlier stages left in the volume.
public struct PipelinePlanner: RunPlanner {
    /// What the run does.
    public let definition: PipelineDefinition
    /// The artifacts volume.
    public let artifacts: ArtifactStore

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

    /// The run's stages, in order.
    var pipelineStages: [any PipelineStage] {
        var stages: [any PipelineStage] = [RunTaskStage.prepare, DistillStage()]
        if definition.student.checkpoint.isEmpty { stages.append(PretrainStage()) }
        if !definition.sft.mixes.isEmpty { stages.append(SFTStage()) }
        stages.append(SampleStage(round: 1))
        if definition.dpo.enabled {
            stages.append(DPOStage(round: 1))
            if definition.dpo.variants.contains(.iterative) {
                stages += [SampleStage(round: 2), DPOStage(round: 2)] as [any PipelineStage]
            }
            if definition.verifier.enabled { stages.append(VerifierStage()) }
        }
        return stages + [EvaluateStage(), RunTaskStage.report]
    }

    public var stages: [String] { pipelineStages.map(\.name.rawValue) }

    public func plan(stage: String, runID: String) async throws -> StagePlan {
        guard let found = pipelineStages.first(where: { $0.name.rawValue == stage }) else {
            throw PipelineDefinitionError.invalid("stage", "\(stage) is not a stage of this pipeline")
        }
        return try found.plan(StageContext(runID: runID, definition: definition, artifacts: artifacts))
    }
}
