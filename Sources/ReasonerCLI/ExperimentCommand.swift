import ArgumentParser
import Foundation
import Training

/// `reasoner experiment`: experiments that run the whole recipe in one process.
struct ExperimentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "experiment",
        abstract: "Run the paper's experiments in one process.",
        subcommands: [PaperTableCommand.self, ProbeCommand.self, TrainJobCommand.self]
    )
}

/// `reasoner experiment paper-table`: pretraining, the four SFT mixes, sampling, pairs, DPO, evaluation, verifier.
struct PaperTableCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "paper-table",
        abstract: "The paper's table at small scale: rows ①②③④ and DPO, direct/CoT per family, with plots.",
        discussion: "Rerunning with the same --out continues: finished stages are skipped, trainers resume."
    )

    @Option(help: "quick (minutes) or full (the reported run).")
    var preset: String = "quick"

    @Option(help: "Seed of the suite, the model and every stage.")
    var seed: UInt64 = 1

    @Option(help: "Output folder (default: runs/paper-table-<preset>-seed<S>).")
    var out: String?

    func validate() throws {
        guard ["quick", "full"].contains(preset) else { throw ValidationError("--preset must be quick or full") }
    }

    func run() throws {
        let settings = try ExperimentPreset.named(preset, seed: seed)
        let folder = URL(fileURLWithPath: out ?? "runs/paper-table-\(preset)-seed\(seed)")
        let report = try PaperTableExperiment(preset: settings, output: folder, log: { line in
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
        }).run()
        print(try String(contentsOfFile: report, encoding: .utf8))
    }
}

/// `reasoner experiment probe`: does a checkpoint read its images? Captions of held-out scenes, scored.
struct ProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Caption held-out scenes greedily and score them: exact, per field, loss with own vs other image.",
        discussion: "Equal losses with the scene's own image and with another scene's image mean the student "
            + "ignores the image."
    )

    @Option(help: "Checkpoint folder (config.json, model.safetensors, tokenizer.json).")
    var checkpoint: String

    @Option(help: "Suite folder (validation.jsonl, test.jsonl, images/).")
    var suite: String

    @Option(help: "Held-out scenes per family (at least 2).")
    var items: Int = 50

    @Option(help: "validation or test: the split whose scenes are captioned.")
    var split: String = "validation"

    @Option(help: "Also write the report as JSON to this file.")
    var json: String?

    func validate() throws {
        guard items >= 2 else { throw ValidationError("--items must be at least 2 (another scene's image is needed)") }
        guard ["validation", "test"].contains(split) else { throw ValidationError("--split must be validation or test") }
    }

    func run() throws {
        let report = try CaptionProbe.run(checkpoint: URL(fileURLWithPath: checkpoint), suite: suite, split: split,
                                          perFamily: items)
        print(report.markdown)
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(report).write(to: URL(fileURLWithPath: json))
        }
    }
}

/// `reasoner experiment train`: one SFT or pretraining job from a JSON file, for short experiments on a mix.
struct TrainJobCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Run one SFT/pretraining job (an SFTJob as JSON) to its last step; rerun to resume.",
        discussion: """
            The job's keys: start (checkpoint folder), sources ([{name, rows, repeats}]), imageRoot, validation, \
            validationLimit, optimization ({steps, batch_size, learning_rate, min_learning_rate, warmup_steps, \
            checkpoint_every, seed, ...}), output (run folder).
            """
    )

    @Option(help: "The job file (JSON).")
    var job: String

    @Option(help: "Print the loss every this many steps.")
    var every: Int = 50

    func run() throws {
        let job = try JSONDecoder().decode(SFTJob.self, from: Data(contentsOf: URL(fileURLWithPath: job)))
        let summary = try SFTTrainer.run(job, onStep: { step, metrics in
            if step % max(1, every) == 0 || step == job.optimization.steps {
                print(String(format: "step %d/%d loss %.4f", step, job.optimization.steps, metrics["loss"] ?? .nan))
            }
        })
        print("checkpoint \(summary.checkpoint), final loss \(summary.finalLoss.map { String($0) } ?? "-")")
    }
}
