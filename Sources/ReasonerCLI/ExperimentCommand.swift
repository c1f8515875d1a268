import ArgumentParser
import Foundation
import Training

/// `reasoner experiment`: experiments that run the whole recipe in one process.
struct ExperimentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "experiment",
        abstract: "Run the paper's experiments in one process.",
        subcommands: [PaperTableCommand.self]
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
