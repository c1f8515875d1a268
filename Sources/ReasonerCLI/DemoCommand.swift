import Artifacts
import ArgumentParser
import Foundation
import Logging
import Pipeline
import ReasonerData
import Synchronization

/// `reasoner demo`: the main job on the embedded default — the whole recipe in one process, no servers.
///
/// The coordinator, one trainer of each kind and the other workers run in the process over the in-process broker
/// and state — the same code as the fleet: generate the synthetic suite, distill rationales from the offline teacher
/// and keep those the judge accepts, train the SFT mixes from the shipped base model (or, with `--from-scratch`, from a
/// student pretrained in the run on captions and drills), sample chains from ④
/// and judge them into pairs, DPO, evaluate every student with the CoT and the direct prompt, and write the report.
/// Rerunning with the same folder continues where a stopped run left off.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the whole pipeline in one process (embedded broker and state, synthetic suite, offline teacher).")

    @Option(help: "Folder for the run's artifacts (data, rationales, checkpoints, evaluations, report).")
    var artifacts = "reasoner-artifacts"

    @Option(help: "Preset: quick (minutes on 2 cores) or full (the reported size).")
    var preset = "quick"

    @Option(help: "A pipeline document (YAML or JSON over a preset) instead of --preset.")
    var pipeline: String?

    @Option(help: "Seed of the suite, the teacher and every stage; the same seed gives the same files.")
    var seed: UInt64 = 0

    @Option(help: "Workers per role besides the trainers (distillers, samplers, judges, evaluators).")
    var workers = 2

    @Flag(help: "Pretrain a fresh student in the run instead of starting from the shipped base model.")
    var fromScratch = false

    func validate() throws {
        guard PipelinePreset(rawValue: preset) != nil else { throw ValidationError("--preset is quick or full") }
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1") }
    }

    func run() async throws {
        let started = ContinuousClock.now
        var definition = try pipeline.map { try PipelineDocument.load(path: $0) }
            ?? PipelinePreset(rawValue: preset)!.definition
        if pipeline == nil {
            definition.name = "demo"
            definition.suite.seed = seed
        }
        if fromScratch { definition.student.checkpoint = "" }
        let runID = pipeline == nil ? "demo-\(seed)" : "\(definition.name)-\(definition.suite.seed)"
        let store = try ArtifactStore(root: artifacts)
        let stages = PipelinePlanner(definition: definition, artifacts: store).stages
        print("run \(runID): \(stages.joined(separator: " → ")) in one process "
              + "(coordinator, trainers, \(workers) workers per role; in-process broker and state)")
        let fleet = EmbeddedFleet(artifacts: store, logger: Logger(label: "reasoner.demo") { _ in SwiftLogNoOpLogHandler() })
        let progress = Mutex(RunProgress(definition: definition))
        try await fleet.run(definition, runID: runID, workersPerRole: workers) { event in
            progress.withLock { $0.show(event) }
        }
        let counters = try await fleet.store.fields(of: StateKeys.counters(runID))
        printDistillTable(counters)
        let evaluations = try store.path(of: try RunLayout(runID: runID).evaluations)
        if let report = try? String(contentsOfFile: evaluations + "/results.md", encoding: .utf8) {
            print(report)
        }
        print("report: \(evaluations)/results.md (summary.json, findings.json, items.jsonl, loss.svg, dpo.svg beside it)")
        print("checkpoints: \(try store.path(of: try RunLayout(runID: runID).checkpoints))")
        print("wall time per stage: " + progress.withLock { $0.stageTimes }
            .map { "\($0.stage) " + String(format: "%.0f s", $0.seconds) }.joined(separator: ", "))
        let elapsed = ContinuousClock.now - started
        print("done in \(elapsed.formatted(.units(allowed: [.seconds], fractionalPart: .show(length: 1))))")
    }

    private func printDistillTable(_ counters: [String: String]) {
        func count(_ field: String) -> Int { Int(counters[field] ?? "0") ?? 0 }
        print("")
        print("distillation: the teacher's rationales the judge kept")
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
        print("pairs: \(count("pairs")) from \(count("pairs_kept_questions")) of \(count("pairs_questions")) sampled "
              + "questions (too hard \(count("pairs_too_hard")), too easy \(count("pairs_too_easy")), chosen chain "
              + "filtered \(count("pairs_chosen_filtered")))")
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
