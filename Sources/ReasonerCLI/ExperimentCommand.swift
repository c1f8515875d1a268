import Artifacts
import ArgumentParser
import Foundation
import Logging
import Pipeline
import Synchronization
import Training

/// `reasoner experiment`: experiments that run the whole recipe in one process.
struct ExperimentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "experiment",
        abstract: "Run the paper's experiments in one process.",
        subcommands: [PaperTableCommand.self, ProbeCommand.self, TrainJobCommand.self]
    )
}

/// `reasoner experiment paper-table`: the paper's table as pipeline runs, one per seed, on the embedded fleet — the
/// same stages, messages and workers as a fleet run — then the pooled report with its paired intervals.
struct PaperTableCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "paper-table",
        abstract: "The paper's table at small scale: ①②③④, DPO and the extra rows, per seed and pooled, with findings.",
        discussion: """
            Each seed is a pipeline run (the preset, or --pipeline, with every seed set from it) in the embedded \
            fleet over --artifacts; rerunning continues stopped runs. The report (results.md, results.json, and the \
            per-item answers items-seed<N>.jsonl) goes to --out.
            """
    )

    @Option(help: "quick or full.")
    var preset: String = "full"

    @Option(help: "A pipeline document instead of --preset.")
    var pipeline: String?

    @Option(help: "Comma-separated seeds, one run each.")
    var seeds: String = "1,2,3"

    @Option(help: "The artifacts folder the runs live in.")
    var artifacts: String = "runs/paper-table"

    @Option(help: "Where the report goes.")
    var out: String = "docs/results"

    @Option(help: "Workers per role besides the trainers.")
    var workers: Int = 2

    func validate() throws {
        guard PipelinePreset(rawValue: preset) != nil else { throw ValidationError("--preset must be quick or full") }
        guard !seedList.isEmpty else { throw ValidationError("--seeds must list at least one seed, e.g. 1,2,3") }
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1") }
    }

    var seedList: [UInt64] { seeds.split(separator: ",").compactMap { UInt64($0.trimmingCharacters(in: .whitespaces)) } }

    func run() async throws {
        let base = try pipeline.map { try PipelineDocument.load(path: $0) } ?? PipelinePreset(rawValue: preset)!.definition
        let store = try ArtifactStore(root: artifacts)
        var runs: [(runID: String, seed: UInt64)] = [], wall: [String: Double] = [:]
        for seed in seedList {
            var definition = base.seeded(seed)
            definition.name = "paper-table-\(base.name)"
            let runID = "\(definition.name)-seed\(seed)"
            print("run \(runID): " + PipelinePlanner(definition: definition, artifacts: store).stages.joined(separator: " → "))
            let fleet = EmbeddedFleet(artifacts: store, logger: Logger(label: "reasoner.experiment") { _ in
                SwiftLogNoOpLogHandler()
            })
            let progress = Mutex(RunProgress(definition: definition))
            try await fleet.run(definition, runID: runID, workersPerRole: workers) { event in
                progress.withLock { $0.show(event) }
            }
            for (stage, seconds) in progress.withLock({ $0.stageTimes }) { wall["seed \(seed) " + stage] = seconds }
            runs.append((runID, seed))
        }
        let settings = "Pipeline document (`reasoner submit --print-preset \(preset)` with every seed set from the run's): "
            + "```json\n" + (try PipelineDocument.render(base)) + "\n```\nCommand: `reasoner experiment paper-table "
            + CommandLine.arguments.dropFirst(3).joined(separator: " ") + "`"
        let markdown = try ExperimentReport(runs: runs, artifacts: store).write(
            to: URL(fileURLWithPath: out), title: "The paper's table at small scale (\(base.name), seeds \(seeds))",
            settings: settings, wallTime: wall)
        print(markdown)
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
