import ArgumentParser
import Foundation
import Tensor
import Training

/// `reasoner base`: the base model every run starts from.
struct BaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "base",
        abstract: "Train, probe and ship the base model (a student that reads its scenes).",
        subcommands: [BaseTrainCommand.self, BaseProbeCommand.self]
    )
}

/// `reasoner base train`: trains the base model until its probes clear every gate, then ships it to `models/`.
struct BaseTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train the base model until the probes pass; ship it with its probe and model card.",
        discussion: """
            Captions of every family plus text drills (look-ups, arithmetic, comparisons, counting), probed on \
            held-out scenes and drills every checkpoint; training stops when every gate is cleared and the model \
            is written to --ship. Rerun with the same --out to resume after a kill. Exits 1 when the budget ends \
            before the gates are cleared (the last checkpoint and its probe are kept), unless \
            --ship-below-gates ships it anyway with a card that names every missed gate.
            """
    )

    @Option(help: "A recipe as JSON (keys as `--print-recipe` shows); default: the shipped base's recipe.")
    var recipe: String?

    @Flag(help: "Print the recipe as JSON and exit.")
    var printRecipe = false

    @Option(help: "Work folder (data, checkpoints, probes); default runs/base/<name>.")
    var out: String?

    @Option(help: "Where the model is shipped; default models/<name>.")
    var ship: String?

    @Option(help: "Override the step budget.")
    var maxSteps: Int?

    @Option(help: "Override the caption scenes per family.")
    var scenesPerFamily: Int?

    @Flag(help: "Ship the last checkpoint even if the budget ends before every gate is cleared (the card names each missed gate).")
    var shipBelowGates = false

    @Option(help: "Print loss and throughput every this many steps.")
    var progressEvery: Int = 50

    func validate() throws {
        if let maxSteps, maxSteps < 1 { throw ValidationError("--max-steps must be at least 1") }
        if let scenesPerFamily, scenesPerFamily < 10 { throw ValidationError("--scenes-per-family must be >= 10") }
        guard progressEvery >= 1 else { throw ValidationError("--progress-every must be at least 1") }
    }

    func run() throws {
        var recipe = BaseRecipe.standard
        if let path = self.recipe {
            recipe = try JSONDecoder().decode(BaseRecipe.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        }
        if let maxSteps { recipe.optimization.steps = maxSteps }
        if let scenesPerFamily { recipe.scenesPerFamily = scenesPerFamily }
        if printRecipe {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(recipe), as: UTF8.self))
            return
        }
        let folder = URL(fileURLWithPath: out ?? "runs/base/\(recipe.name)")
        let trainer = BaseTrainer(recipe: recipe, folder: folder, progressEvery: progressEvery) { line in
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
        }
        print("base \(recipe.name): \(Parallelism.workers) engine workers, work folder \(folder.path)")
        let outcome = try trainer.run()
        let destination = URL(fileURLWithPath: ship ?? "models/\(recipe.name)")
        let provenance = BaseShipment.Provenance(
            command: (["reasoner"] + CommandLine.arguments.dropFirst()).joined(separator: " "),
            commit: Self.commit(), machine: Self.machine(), wallSeconds: outcome.wallSeconds,
            positionsPerSecond: outcome.positionsPerSecond)
        guard outcome.passed || shipBelowGates else {
            print(outcome.probe.markdown)
            print("the budget ended before the gates were cleared; the last checkpoint is \(outcome.checkpoint.path)")
            throw ExitCode(1)
        }
        let hash = try BaseShipment.ship(outcome, recipe: recipe, provenance: provenance, to: destination)
        print(outcome.probe.markdown)
        print(String(format: "shipped %@ (%@) after %d steps, %.1f min", destination.path, String(hash.prefix(16)),
                     outcome.probe.step, outcome.wallSeconds / 60))
        if !outcome.passed { print("below the gates: \(outcome.probe.misses.joined(separator: "; "))") }
    }

    /// The commit of the working tree, if this runs inside a git checkout.
    static func commit() -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "rev-parse", "--short", "HEAD"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        process.waitUntilExit()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return process.terminationStatus == 0 && !text.isEmpty ? text : nil
    }

    /// The CPU model and the engine's worker count.
    static func machine() -> String {
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = info.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { $0.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "" }
        return "\(model ?? "an unknown CPU"), \(Parallelism.workers) engine workers"
    }
}

/// `reasoner base probe`: the base model's probes on held-out scenes and drills.
struct BaseProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Probe a model folder on held-out scenes and drills drawn from the recipe's probe seed."
    )

    @Option(help: "The model folder (config.json, model.safetensors, tokenizer.json, recipe.json).")
    var model: String

    @Option(help: "Scenes per family and drills per kind.")
    var items: Int = 200

    @Option(help: "Folder for the probe's scenes (default: a temporary folder).")
    var work: String?

    func validate() throws {
        guard items >= 2 else { throw ValidationError("--items must be at least 2") }
    }

    func run() throws {
        let folder = URL(fileURLWithPath: model)
        let recipe = try JSONDecoder().decode(BaseRecipe.self, from: Data(contentsOf:
            folder.appendingPathComponent(BaseShipment.recipeFile)))
        let work = URL(fileURLWithPath: self.work ?? NSTemporaryDirectory() + "reasoner-base-probe-\(recipe.probeSeed)")
        let record = try BaseProbe.run(model: folder, recipe: recipe, items: items, work: work)
        print(record.markdown)
        if !record.misses.isEmpty { throw ExitCode(1) }
    }
}
