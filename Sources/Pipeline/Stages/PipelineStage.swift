import Artifacts
import Foundation
import ReasonerData

/// The stages a run can have, in the order they run; the one vocabulary of stage names (run records, events, the
/// CLI's progress, `reasoner retry --stage`).
public enum StageName: String, Codable, Sendable, CaseIterable {
    /// The run's suite and derived rows, made by the runner role.
    case prepare
    /// Rationales from the teacher, judged and kept.
    case distill
    /// A fresh student pretrained on captions and drills (runs from scratch only).
    case pretrain
    /// The paper's SFT mixes.
    case sft
    /// Chains sampled from the sampling mix's student, judged into pairs.
    case sample
    /// DPO on the pairs, and the extra rows (RPO, DPO without truncation, rejection-sampling fine-tuning).
    case dpo
    /// Iterative DPO's second round: chains sampled from the first DPO student, judged into pairs.
    case resample
    /// Iterative DPO's second round: DPO of the first DPO student on its own pairs.
    case redpo
    /// Chains sampled from the sampling mix's student on test items, scored by the DPO reward.
    case verifier
    /// Greedy CoT and direct answers of every student, judged.
    case evaluate
    /// The run's tables and plots, written by the runner role.
    case report
}

/// What a stage plans from: the run, its definition and the artifacts volume. Stages read earlier stages' outputs
/// from the volume; the coordinator plans a stage once per transition and keeps the plan.
public struct StageContext: Sendable {
    /// The run.
    public let runID: String
    /// What it does.
    public let definition: PipelineDefinition
    /// The artifacts volume.
    public let artifacts: ArtifactStore

    /// Where the run's artifacts live.
    public var layout: RunLayout { RunLayout(runID: runID) }

    /// The suite's manifest, which the prepare stage's worker wrote; planning a later stage without it is a bug of
    /// the stage order, reported as such.
    public func manifest() throws -> SuiteManifest {
        let ref = try layout.data.appending("manifest.json")
        guard try artifacts.exists(ref) else {
            throw PipelineDefinitionError.invalid("stage", "run \(runID) has no prepared suite (\(ref)); the prepare "
                                                  + "stage must finish first")
        }
        return try JSONDecoder().decode(SuiteManifest.self, from: try artifacts.read(ref))
    }

    /// The number of lines of a JSONL artifact (one item or row each).
    func lineCount(_ ref: ArtifactRef) throws -> Int {
        try artifacts.read(ref).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true).count
    }
}

/// One stage of a pipeline: its name and a pure plan of its work — the same run and recorded facts give the same
/// messages with the same ids, so planning again (a new coordinator) enqueues nothing twice.
public protocol PipelineStage: Sendable {
    /// The stage's name.
    var name: StageName { get }
    /// The messages that do the stage's work and the ids whose done-marks finish it.
    func plan(_ context: StageContext) throws -> StagePlan
}
