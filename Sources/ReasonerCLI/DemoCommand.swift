import Artifacts
import ArgumentParser
import Foundation
import Logging
import Pipeline
import ReasonerData
import Synchronization

/// `reasoner demo`: the main job on the embedded default — one process, no servers.
///
/// It runs the stages that exist today, for real: generate the synthetic suite, distill rationales from the offline
/// teacher through the embedded fleet (in-process broker and state, the same worker code as the fleet), judge every
/// rationale's final answer against the annotation and keep the agreeing ones as SFT rows. It says plainly which
/// stages of the recipe are not built yet.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the pipeline in one process (embedded broker and state, synthetic suite, offline teacher).")

    @Option(help: "Folder for the run's artifacts (data, rationales, reports).")
    var artifacts = "reasoner-artifacts"

    @Option(help: "Seed of the suite and the teacher; the same seed gives the same files.")
    var seed: UInt64 = 0

    @Option(help: "Training scenes per family to generate and distill.")
    var trainPerFamily = 400

    @Option(help: "Share of the offline teacher's rationales that go wrong (a misreading or a wrong step).")
    var teacherErrorRate = 0.15

    @Option(help: "Items per distillation batch (one message each).")
    var batchSize = 100

    @Option(help: "Distiller workers running concurrently in the process.")
    var distillers = 2

    func validate() throws {
        guard trainPerFamily >= 1 else { throw ValidationError("--train-per-family must be at least 1") }
        guard (0...1).contains(teacherErrorRate) else { throw ValidationError("--teacher-error-rate is a share in [0, 1]") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
        guard distillers >= 1 else { throw ValidationError("--distillers must be at least 1") }
    }

    func run() async throws {
        let started = ContinuousClock.now
        let runID = "demo-\(seed)"
        let store = try ArtifactStore(root: artifacts)
        var definition = PipelinePreset.quick.definition
        definition.name = "demo"
        definition.suite.seed = seed
        definition.suite.train = trainPerFamily
        definition.suite.validation = max(10, trainPerFamily / 10)
        definition.suite.test = max(20, trainPerFamily / 5)
        definition.suite.pretrainPerFamily = trainPerFamily
        definition.distill.offlineErrorRate = teacherErrorRate
        definition.distill.batchSize = batchSize
        let batches = (trainPerFamily * definition.suite.families.count + batchSize - 1) / batchSize
        print("run \(runID): the quick pipeline on the embedded fleet (coordinator + \(distillers) workers per role, "
              + "in-process broker and state)")
        let logger = Logger(label: "reasoner.demo") { _ in SwiftLogNoOpLogHandler() }
        let fleet = EmbeddedFleet(artifacts: store, logger: logger)
        let distilled = Mutex(0)
        let families = definition.suite.families.count
        try await fleet.run(definition, runID: runID, workersPerRole: distillers) { event in
            switch event.fields["kind"] {
            case "stage.started" where event.fields["stage"] == "distill":
                print("1. data      synthetic suite (\(families) families, seed \(seed)) in "
                      + "runs/\(runID)/data")
                print("2. distill   offline teacher (error rate \(teacherErrorRate)) → judge → keep")
            case "distill.batch":
                let done = distilled.withLock { $0 += 1; return $0 }
                ProgressLine.show("             batches", done: done, total: batches)
            default:
                break
            }
        }
        let counters = try await fleet.store.fields(of: StateKeys.counters(runID))
        printDistillTable(counters)
        print("             kept rows: \(try store.path(of: try RunLayout(runID: runID).distill))/batch-*.jsonl")

        print("3. SFT, 4. sampling + judging + pairs, 5. DPO, 6. evaluation: not built yet (the trainers and the")
        print("   evaluator are the next issues); this demo stops after distillation.")
        let elapsed = ContinuousClock.now - started
        print("done in \(elapsed.formatted(.units(allowed: [.seconds], fractionalPart: .show(length: 1))))")
    }

    private func printDistillTable(_ counters: [String: String]) {
        func count(_ field: String) -> Int { Int(counters[field] ?? "0") ?? 0 }
        print("")
        print("   family      items    kept   wrong  unscorable  kept %")
        var totals = (items: 0, kept: 0, wrong: 0, unscorable: 0)
        for family in Family.allCases {
            let kept = count("distill_correct:\(family.rawValue)")
            let wrong = count("distill_wrong:\(family.rawValue)")
            let unscorable = count("distill_unscorable:\(family.rawValue)")
            let items = kept + wrong + unscorable
            totals = (totals.items + items, totals.kept + kept, totals.wrong + wrong, totals.unscorable + unscorable)
            print(row(family.rawValue, items, kept, wrong, unscorable))
        }
        print(row("all", totals.items, totals.kept, totals.wrong, totals.unscorable))
        print("")
    }

    private func row(_ name: String, _ items: Int, _ kept: Int, _ wrong: Int, _ unscorable: Int) -> String {
        let share = items == 0 ? 0 : 100 * Double(kept) / Double(items)
        return "   " + name.padding(toLength: 10, withPad: " ", startingAt: 0)
            + [items, kept, wrong].map { String($0).leftPadded(8) }.joined()
            + String(unscorable).leftPadded(12) + String(format: "%8.1f", share)
    }
}

extension String {
    /// The string right-aligned in `width` columns.
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
