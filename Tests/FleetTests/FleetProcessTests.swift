import Artifacts
import Foundation
import Model
import ReasonerData
import TestSupport
import Testing
@testable import Pipeline

/// The fleet as separate processes on the real RabbitMQ and Redis. Serialized: they share the fleet's queues.
@Suite(.serialized) struct FleetProcessTests {
    /// A small pipeline: 60 training items per family distilled in batches of 100 (three batches), then 4 chains
    /// per item sampled from a tiny student in shards of 15 items (twenty shards), each judged into pairs, then the
    /// student evaluated on 15 test items with both prompts in shards of 4, and the report.
    static let pipeline = """
        preset: quick
        name: fleet-test
        suite: {train: 60, validation: 2, test: 3, pretrain_per_family: 2, format_per_family: 2, seed: 11}
        distill: {batch_size: 100, offline_error_rate: 0.2}
        student: {checkpoint: students/tiny}
        sample: {chains_per_item: 4, max_new_tokens: 12, items_per_shard: 15, seed: 5}
        evaluate: {items_per_shard: 4, max_new_tokens: 12}
        """

    /// A random tiny student (its tokenizer trained on the prompts' words) at `students/tiny`.
    static func makeStudent(_ harness: FleetHarness) throws {
        try StudentCheckpoint.createFresh(
            corpus: [StudentPrompt.cotShort, StudentPrompt.cotLetter, "\(StudentPrompt.answerMarker) 0123456789"],
            vocabularySize: 400, seed: 1,
            config: { var config = VLMConfig.tiny(vocabSize: $0); config.contextLength = 512; return config },
            to: URL(fileURLWithPath: harness.root + "/students/tiny"))
    }

    /// Every artifact of a run's folder below `stage`, by name, with its bytes (a process killed mid-write may leave
    /// a temporary file behind, which is not an artifact).
    static func outputs(_ harness: FleetHarness, runID: String, stage: String) throws -> [String: Data] {
        try Dictionary(uniqueKeysWithValues: harness.artifacts.list(try ArtifactRef("runs/\(runID)/\(stage)")).map {
            ($0.name, try harness.artifacts.read($0))
        })
    }

    @Test func aSubmittedPipelineRunsToTheEndAndKillsChangeNothing() async throws {
        let harness = try await FleetHarness()
        defer { harness.shutdown() }
        let document = harness.root + "/pipeline.yaml"
        try FileManager.default.createDirectory(atPath: harness.root, withIntermediateDirectories: true)
        try Self.pipeline.write(toFile: document, atomically: true, encoding: .utf8)
        try Self.makeStudent(harness)
        let suffix = UUID().uuidString.prefix(8).lowercased()

        // Undisturbed.
        let coordinator = try await harness.start("coordinator")
        let distillers = [try await harness.start("distiller"), try await harness.start("distiller")]
        let samplers = [try await harness.start("sampler"), try await harness.start("sampler")]
        let judge = try await harness.start("judge")
        let evaluator = try await harness.start("evaluator")
        let calm = "calm-\(suffix)"
        #expect(try harness.reasoner(["submit", document, "--run-id", calm]).contains(calm))
        try await harness.waitUntilDone(calm)
        let status = try harness.reasoner(["status", calm])
        #expect(status.contains("run \(calm): done"), "\(status)")
        #expect(status.contains("distill: 3 batches"), "\(status)")
        let calmCounters = try await harness.store.fields(of: StateKeys.counters(calm))
        #expect(calmCounters["sample_shards"] == "20" && calmCounters["judge_shards"] == "20", "\(calmCounters)")
        #expect(calmCounters["sample_chains"] == "1200")
        #expect(calmCounters["eval_items"] == "30", "15 test items, CoT and direct: \(calmCounters)")
        #expect(status.contains("coordinator ") && status.contains("distiller "), "workers seen: \(status)")

        // Disturbed: the coordinator is killed as the run starts, a distiller in the middle of a batch, a sampler in
        // the middle of a shard and the judge as it judges; all are replaced.
        let stormy = "stormy-\(suffix)"
        _ = try harness.reasoner(["submit", document, "--run-id", stormy])
        try await harness.waitForEvent(stormy, kind: "stage.started")
        coordinator.signal(SIGKILL)
        coordinator.wait()
        try await harness.start("coordinator")
        func working(_ process: ChildProcess) -> Bool {
            process.output.split(separator: "\n").contains { $0.contains("handling") && $0.contains(stormy) }
        }
        for (role, group) in [("distiller", distillers), ("sampler", samplers), ("judge", [judge]),
                              ("evaluator", [evaluator])] {
            try await harness.waitFor("a \(role) to take work of \(stormy)") { group.contains(where: working) }
            let victim = try #require(group.first(where: working))
            victim.signal(SIGKILL)  // whatever it still holds goes back to the queue
            victim.wait()
            try await harness.start(role)
        }
        try await harness.waitUntilDone(stormy)

        for stage in ["distill", "samples", "pairs", "eval/student/cot", "eval/student/direct"] {
            #expect(try Self.outputs(harness, runID: stormy, stage: stage) == Self.outputs(harness, runID: calm, stage: stage),
                    "the same \(stage), none lost or doubled")
        }
        let counters = { (run: String) in try await harness.store.fields(of: StateKeys.counters(run)) }
        #expect(try await counters(stormy) == counters(calm))
        let events = try harness.reasoner(["follow", stormy, "--no-wait"])
        #expect(events.components(separatedBy: "stage.started").count == 5, "one start per stage: \(events)")
        let report = try String(contentsOfFile: harness.root + "/runs/\(stormy)/eval/results.md", encoding: .utf8)
        #expect(report.contains("| student |"), "\(report)")
        #expect(events.contains("run.done"))
    }
}
