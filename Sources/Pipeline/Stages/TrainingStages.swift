import Artifacts
import Foundation
import Messaging
import Training

/// The rows files of a run's mixes by source name: the suite's captions, drills and format set, the direct answers
/// of the training split (written by the prepare stage), and every distilled batch's kept rationales (a source may
/// span several files: the trainer reads them in order).
struct MixFiles {
    let context: StageContext

    /// The files of each source name.
    func files() throws -> [String: [ArtifactRef]] {
        let data = try context.layout.data
        var cot: [ArtifactRef] = []
        for batch in try DistillStage.batches(context).batches() where try context.artifacts.exists(batch.batch.output) {
            cot.append(batch.batch.output)  // a batch past the teacher budget has no rows
        }
        return ["captions": [try data.appending("pretrain.jsonl")], "drills": [try data.appending("drills.jsonl")],
                "format": [try data.appending("format.jsonl")], "direct": [try context.layout.rows("direct")],
                "cot": cot]
    }

    /// A mix's sources with the definition's repeats, and how many examples one pass over them has.
    func sources(of mix: SFTMix) throws -> (sources: [TrainSource], examples: Int) {
        let files = try files()
        var sources: [TrainSource] = [], examples = 0
        for name in mix.sourceNames {
            guard let refs = files[name] else {
                throw PipelineDefinitionError.invalid("sft.mixes", "mix \(mix.rawValue) needs rows for \(name)")
            }
            let repeats = name == "format" ? context.definition.sft.formatRepeats : 1
            for ref in refs {
                sources.append(TrainSource(name: name, rows: ref, repeats: repeats))
                examples += try context.lineCount(ref) * repeats
            }
        }
        return (sources, examples)
    }
}

/// Pretraining a fresh student in the run (a run from scratch: `student.checkpoint` empty): its tokenizer trained
/// on every rows file of the run, then captions and drills.
struct PretrainStage: PipelineStage {
    let name = StageName.pretrain

    func plan(_ context: StageContext) throws -> StagePlan {
        let layout = context.layout, mix = MixFiles(context: context)
        let settings = context.definition.pretrain
        let corpus = try mix.files().sorted { $0.key < $1.key }.flatMap(\.value)
        let job = SFTTrainJob(
            name: "pretrain", start: nil,
            fresh: FreshStudentSpec(scale: settings.scale, vocabularySize: settings.vocabularySize,
                                    contextLength: settings.contextLength, corpus: corpus,
                                    seed: context.definition.suite.seed),
            sources: try mix.sources(of: .pretrain).sources, imageRoot: try layout.data, validation: nil,
            validationLimit: 0, optimization: settings.training, output: try layout.checkpoint("pretrain"))
        return StagePlan(stage: name.rawValue, messages: [
            FleetTopology.work(FleetTopology.Queue.sftTrainer,
                               try Envelope(job, id: "\(context.runID).pretrain", runID: context.runID)),
        ])
    }
}

/// One SFT job per mix, all from the same base; with `sft.epochs` each trains that many passes over its own data.
struct SFTStage: PipelineStage {
    let name = StageName.sft

    func plan(_ context: StageContext) throws -> StagePlan {
        let layout = context.layout, settings = context.definition.sft
        let validation = settings.validationLimit > 0 ? try layout.rows("validation") : nil
        let base = try RunStudents(context: context).base()
        let mix = MixFiles(context: context)
        let messages = try settings.mixes.map { sftMix in
            let student = RunStudents.name(sftMix)
            let (sources, examples) = try mix.sources(of: sftMix)
            let job = SFTTrainJob(name: student, start: base, fresh: nil, sources: sources, imageRoot: try layout.data,
                                  validation: validation, validationLimit: settings.validationLimit,
                                  optimization: settings.optimization(examples: examples),
                                  output: try layout.checkpoint(student))
            return FleetTopology.work(FleetTopology.Queue.sftTrainer,
                                      try Envelope(job, id: "\(context.runID).sft.\(sftMix.rawValue)",
                                                   runID: context.runID))
        }
        return StagePlan(stage: name.rawValue, messages: messages)
    }
}
