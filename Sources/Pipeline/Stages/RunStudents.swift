import Artifacts
import Foundation
import Training

/// The students of a run and where their weights are: every training job trains into `runs/<run>/checkpoints/<name>/`
/// and a student is that folder's final checkpoint. The one place that names them (`sft-<mix>`, `dpo`, `dpo-rpo`,
/// `dpo-full`, `rft`, `dpo-2`) and orders them as the report's rows.
struct RunStudents {
    let context: StageContext

    /// The name of an SFT mix's student (`sft-format+cot`, ...).
    static func name(_ mix: SFTMix) -> String { "sft-" + mix.rawValue }

    /// The paper's DPO student.
    static let dpo = "dpo"

    /// The final checkpoint of the training job `name`, nil while the job has not finished.
    func trained(_ name: String) throws -> ArtifactRef? {
        let folder = try context.layout.checkpoint(name)
        let run = TrainingRunFolder(URL(fileURLWithPath: try context.artifacts.path(of: folder)))
        guard let final = run.finalCheckpoint() else { return nil }
        return try folder.appending("checkpoints").appending(final.lastPathComponent)
    }

    /// The final checkpoint of a job an earlier stage finished; a missing one means that stage did not really
    /// finish (its folder was removed), and this stage cannot be planned.
    func finished(_ name: String) throws -> ArtifactRef {
        guard let checkpoint = try trained(name) else {
            throw PipelineDefinitionError.invalid("stage", "needs the finished training job \(name) of run "
                                                  + "\(context.runID), but its run folder has no summary")
        }
        return checkpoint
    }

    /// The student the SFT mixes start from: the document's checkpoint (by default the shipped base), else the
    /// one pretrained in the run.
    func base() throws -> ArtifactRef {
        context.definition.student.checkpoint.isEmpty ? try finished("pretrain")
            : try ArtifactRef(context.definition.student.checkpoint)
    }

    /// The student whose chains are sampled for pairs and which DPO starts from (the paper's ④).
    func sampled() throws -> ArtifactRef {
        context.definition.sft.mixes.isEmpty ? try base() : try finished(Self.name(context.definition.sft.samplingMix))
    }

    /// The students evaluated, in the report's order: every SFT mix (or the run's student when there is none), then
    /// every DPO-stage student that trained (none when the gate or a lack of pairs skipped DPO).
    func evaluated() throws -> [(name: String, checkpoint: ArtifactRef)] {
        var students = context.definition.sft.mixes.isEmpty ? [("student", try base())]
            : try context.definition.sft.mixes.map { mix in (Self.name(mix), try finished(Self.name(mix))) }
        guard context.definition.dpo.enabled else { return students }
        for name in [Self.dpo] + context.definition.dpo.variants.map(\.student) {
            if let checkpoint = try trained(name) { students.append((name, checkpoint)) }
        }
        return students
    }
}
