import Artifacts
import Foundation
import Messaging
import ReasonerData
import Training

/// The training stages of a run — pretraining, the SFT mixes, DPO — and the students they leave. Each job trains
/// into its run folder `runs/<run>/checkpoints/<model>/`; a student is that folder's final checkpoint.
extension PipelinePlanner {
    /// The name of an SFT mix's student (`sft-format+cot`, ...), as evaluated and reported.
    static func studentName(_ mix: SFTMix) -> String { "sft-" + mix.rawValue }

    /// The final checkpoint of the training job `model` of the run, nil while the job has not finished.
    func trainedCheckpoint(runID: String, model: String) throws -> ArtifactRef? {
        let folder = try RunLayout(runID: runID).checkpoint(model)
        let run = TrainingRunFolder(URL(fileURLWithPath: try artifacts.path(of: folder)))
        guard let final = run.finalCheckpoint() else { return nil }
        return try folder.appending("checkpoints").appending(final.lastPathComponent)
    }

    /// The final checkpoint of a training job an earlier stage finished; a missing one means that stage did not
    /// really finish (its folder was removed), and this stage cannot be planned.
    func finishedCheckpoint(runID: String, model: String) throws -> ArtifactRef {
        guard let checkpoint = try trainedCheckpoint(runID: runID, model: model) else {
            throw PipelineDefinitionError.invalid("stage", "needs the finished training job \(model) of run \(runID), "
                                                  + "but its run folder has no summary")
        }
        return checkpoint
    }

    /// The student the SFT runs start from: the given checkpoint, else the pretrained one.
    func baseStudent(runID: String) throws -> ArtifactRef {
        definition.student.checkpoint.isEmpty ? try finishedCheckpoint(runID: runID, model: "pretrain")
            : try ArtifactRef(definition.student.checkpoint)
    }

    /// The student whose chains are sampled for pairs (and which DPO starts from).
    func sampledStudent(runID: String) throws -> ArtifactRef {
        definition.sft.mixes.isEmpty ? try baseStudent(runID: runID)
            : try finishedCheckpoint(runID: runID, model: Self.studentName(definition.sft.samplingMix))
    }

    /// The students evaluated, by name: every SFT mix (or the run's student when there is none), then DPO's when it
    /// trained (a run whose sampling gave no pair has none).
    func students(runID: String) throws -> [(name: String, checkpoint: ArtifactRef)] {
        var students = definition.sft.mixes.isEmpty ? [("student", try baseStudent(runID: runID))]
            : try definition.sft.mixes.map { mix in
                (Self.studentName(mix), try finishedCheckpoint(runID: runID, model: Self.studentName(mix)))
            }
        if definition.dpo.enabled, let dpo = try trainedCheckpoint(runID: runID, model: "dpo") {
            students.append(("dpo", dpo))
        }
        return students
    }

    /// The rows files of the run's mixes by source name: the suite's captions, drills and format set, the direct
    /// answers of the training split, and the distilled rationales (all batches in one file).
    func mixFiles(runID: String, manifest: SuiteManifest) throws -> [String: ArtifactRef] {
        let layout = RunLayout(runID: runID)
        let data = try layout.data
        let items = try RowFiles.read(SuiteItem.self, path: try artifacts.path(of: try data.appending("train.jsonl")))
        let direct = try writeOnce(try layout.rows("direct"), try RowFiles.jsonLines(items.rows.map(TrainingRows.direct)))
        var cot = Data()
        for batch in try distillStage(runID: runID, manifest: manifest).batches()
        where FileManager.default.fileExists(atPath: try artifacts.path(of: batch.batch.output)) {
            cot.append(try artifacts.read(batch.batch.output))  // a batch past the teacher budget has no rows
        }
        return ["captions": try data.appending("pretrain.jsonl"), "drills": try data.appending("drills.jsonl"),
                "format": try data.appending("format.jsonl"), "direct": direct,
                "cot": try writeOnce(try layout.rows("cot"), cot)]
    }

    /// Writes `contents` to `ref` unless it is there (a re-planned stage sees the same file).
    private func writeOnce(_ ref: ArtifactRef, _ contents: Data) throws -> ArtifactRef {
        if !FileManager.default.fileExists(atPath: try artifacts.path(of: ref)) { try artifacts.write(contents, to: ref) }
        return ref
    }

    /// Pretraining: a fresh student (its tokenizer trained on every rows file of the run) on captions and drills.
    func pretrainPlan(runID: String, manifest: SuiteManifest) throws -> StagePlan {
        let layout = RunLayout(runID: runID)
        let files = try mixFiles(runID: runID, manifest: manifest)
        let settings = definition.pretrain
        let job = SFTTrainJob(
            name: "pretrain", start: nil,
            fresh: FreshStudentSpec(scale: settings.scale, vocabularySize: settings.vocabularySize,
                                    contextLength: settings.contextLength,
                                    corpus: files.sorted { $0.key < $1.key }.map(\.value), seed: definition.suite.seed),
            sources: try sources(of: .pretrain, files: files), imageRoot: try layout.data, validation: nil,
            validationLimit: 0, optimization: settings.training, output: try layout.checkpoint("pretrain"))
        return StagePlan(stage: "pretrain", messages: [
            FleetTopology.work(FleetTopology.Queue.sftTrainer, try Envelope(job, id: "\(runID).pretrain", runID: runID)),
        ])
    }

    /// One SFT job per mix, all from the same base with the same budget.
    func sftPlan(runID: String, manifest: SuiteManifest) throws -> StagePlan {
        let layout = RunLayout(runID: runID)
        let files = try mixFiles(runID: runID, manifest: manifest)
        let settings = definition.sft
        let validation = settings.validationLimit > 0 ? try validationRows(runID: runID) : nil
        let base = try baseStudent(runID: runID)
        let messages = try settings.mixes.map { mix in
            let name = Self.studentName(mix)
            let job = SFTTrainJob(name: name, start: base, fresh: nil,
                                  sources: try sources(of: mix, files: files), imageRoot: try layout.data,
                                  validation: validation, validationLimit: settings.validationLimit,
                                  optimization: settings.training, output: try layout.checkpoint(name))
            return FleetTopology.work(FleetTopology.Queue.sftTrainer,
                                      try Envelope(job, id: "\(runID).sft.\(mix.rawValue)", runID: runID))
        }
        return StagePlan(stage: "sft", messages: messages)
    }

    /// A mix's sources with the definition's repeats.
    private func sources(of mix: SFTMix, files: [String: ArtifactRef]) throws -> [TrainSource] {
        try mix.sources(files: files.mapValues(\.path), repeats: ["format": definition.sft.formatRepeats]).map {
            TrainSource(name: $0.name, rows: try ArtifactRef($0.rows), repeats: $0.repeats)
        }
    }

    /// The direct answers of the validation split, the rows whose loss SFT logs.
    private func validationRows(runID: String) throws -> ArtifactRef {
        let layout = RunLayout(runID: runID)
        let items = try RowFiles.read(SuiteItem.self,
                                      path: try artifacts.path(of: try layout.data.appending("validation.jsonl")))
        return try writeOnce(try layout.rows("validation"), try RowFiles.jsonLines(items.rows.map(TrainingRows.direct)))
    }

    /// DPO of the sampled student on every judged shard's pairs (gathered in shard order into one file); no
    /// message when sampling gave no pair — the run then reports the SFT students only.
    func dpoPlan(runID: String) throws -> StagePlan {
        let layout = RunLayout(runID: runID)
        var pairs = Data()
        for shard in try sampleSlices(runID: runID).indices {
            let ref = try layout.pairs(shard)
            if FileManager.default.fileExists(atPath: try artifacts.path(of: ref)) { pairs.append(try artifacts.read(ref)) }
        }
        guard pairs.contains(UInt8(ascii: "{")) else { return StagePlan(stage: "dpo", messages: []) }
        let file = try layout.rows("pairs")
        try artifacts.write(pairs, to: file)
        let settings = definition.dpo
        let job = DPOTrainJob(name: "dpo", start: try sampledStudent(runID: runID), pairs: file,
                              imageRoot: try layout.data, objective: settings.objective,
                              maxWords: settings.maxWords == 0 ? nil : settings.maxWords,
                              optimization: settings.training, output: try layout.checkpoint("dpo"))
        return StagePlan(stage: "dpo", messages: [
            FleetTopology.work(FleetTopology.Queue.dpoTrainer, try Envelope(job, id: "\(runID).dpo", runID: runID)),
        ])
    }
}
