import Artifacts
import Foundation
import Model
import ReasonerData
import TestSupport
import Testing
@testable import Pipeline

/// The fleet as separate processes on the real RabbitMQ and Redis. Serialized: they share the fleet's queues.
@Suite(.serialized) struct FleetProcessTests {
    /// A small pipeline: 60 training items per family distilled in batches of 100 (three batches); a fresh tiny
    /// student pretrained for 150 steps (checkpoints every 20) and two SFT mixes trained from it; 4 chains per
    /// item sampled from ④ in shards of 15 items (twenty shards), each judged into pairs; DPO on the pairs; the
    /// three students evaluated on 15 test items with both prompts in shards of 4; the report.
    static let pipeline = """
        preset: quick
        name: fleet-test
        suite: {train: 60, validation: 2, test: 3, pretrain_per_family: 8, format_per_family: 2, seed: 11}
        distill: {batch_size: 100, offline_error_rate: 0.2}
        student: {checkpoint: ""}
        pretrain:
          scale: tiny
          vocabulary_size: 400
          context_length: 512
          training: {steps: 150, batch_size: 8, learning_rate: 0.002, warmup_steps: 5, checkpoint_every: 20}
        sft:
          mixes: [format+direct, format+direct+cot]
          validation_limit: 4
          epochs: 0
          training: {steps: 10, batch_size: 4, learning_rate: 0.001, validate_every: 5, checkpoint_every: 5}
        sample: {chains_per_item: 4, max_new_tokens: 12, items_per_shard: 15, items_per_family: 0, seed: 5}
        dpo: {min_sampled_accuracy: 0, epochs: 0, training: {steps: 4, batch_size: 2, learning_rate: 0.00001}}
        evaluate: {items_per_shard: 4, items_per_family: 0, max_new_tokens: 12}
        """

    /// The students the pipeline trains and evaluates.
    static let students = ["sft-format+direct", "sft-format+direct+cot", "dpo"]

    /// A training job's final weights and its loss curve.
    static func checkpoint(_ harness: FleetHarness, runID: String, job: String) throws -> [Data] {
        let folder = harness.root + "/runs/\(runID)/checkpoints/\(job)"
        let latest = try String(contentsOfFile: folder + "/checkpoints/latest", encoding: .utf8)
        return [try Data(contentsOf: URL(fileURLWithPath: folder + "/checkpoints/\(latest)/model.safetensors")),
                try Data(contentsOf: URL(fileURLWithPath: folder + "/metrics.jsonl"))]
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
        let suffix = UUID().uuidString.prefix(8).lowercased()

        // Undisturbed.
        let coordinator = try await harness.start("coordinator", ["--reissue-after", "10"])
        var trainer = try await harness.start("sft-trainer", ["--lease-seconds", "10", "--progress-every", "1"])
        try await harness.start("dpo-trainer", ["--lease-seconds", "10"])
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
        #expect(status.contains("train pretrain: done: 150 steps") && status.contains("train dpo: done: 4 steps"),
                "\(status)")
        let calmCounters = try await harness.store.fields(of: StateKeys.counters(calm))
        #expect(calmCounters["sample_shards"] == "20" && calmCounters["judge_shards"] == "20", "\(calmCounters)")
        #expect(calmCounters["sample_chains"] == "1200")
        #expect(calmCounters["eval_items"] == "90", "15 test items, CoT and direct, three students: \(calmCounters)")
        #expect(calmCounters["train_jobs"] == "4", "pretraining, two mixes, DPO: \(calmCounters)")
        #expect(status.contains("coordinator ") && status.contains("distiller "), "workers seen: \(status)")

        // Disturbed: the coordinator is killed as the run starts, a distiller in the middle of a batch, a sampler in
        // the middle of a shard and the judge as it judges; all are replaced.
        let stormy = "stormy-\(suffix)"
        _ = try harness.reasoner(["submit", document, "--run-id", stormy])
        try await harness.waitForEvent(stormy, kind: "stage.started")
        coordinator.signal(SIGKILL)
        coordinator.wait()
        try await harness.start("coordinator", ["--reissue-after", "10"])

        func working(_ process: ChildProcess) -> Bool {
            process.output.split(separator: "\n").contains { $0.contains("handling") && $0.contains(stormy) }
        }
        func killOneAtWork(_ role: String, among group: [ChildProcess]) async throws {
            try await harness.waitFor("a \(role) to take work of \(stormy)") { group.contains(where: working) }
            let victim = try #require(group.first(where: working))
            victim.signal(SIGKILL)  // whatever it still holds goes back to the queue
            victim.wait()
            try await harness.start(role)
        }
        try await killOneAtWork("distiller", among: distillers)
        // The SFT trainer dies in the middle of pretraining (after a checkpoint): the job's lease lapses, the
        // coordinator re-issues the job and a new trainer resumes it from that checkpoint.
        let pretrainSteps = { () async throws -> [Int] in
            try await harness.store.read(StateKeys.events(stormy), after: .start, limit: 100_000).compactMap {
                $0.fields["kind"] == "train.step" && $0.fields["job"] == "pretrain" ? Int($0.fields["step"] ?? "") : nil
            }
        }
        try await harness.waitFor("pretraining of \(stormy) past step 30") { try await pretrainSteps().contains { $0 > 30 } }
        trainer.signal(SIGKILL)
        trainer.wait()
        trainer = try await harness.start("sft-trainer", ["--lease-seconds", "10", "--progress-every", "1"])
        for (role, group) in [("sampler", samplers), ("judge", [judge]), ("evaluator", [evaluator])] {
            try await killOneAtWork(role, among: group)
        }
        try await harness.waitUntilDone(stormy)

        let evaluations = Self.students.flatMap { ["eval/\($0)/cot", "eval/\($0)/direct"] }
        for stage in ["distill", "samples", "pairs"] + evaluations {
            #expect(try Self.outputs(harness, runID: stormy, stage: stage) == Self.outputs(harness, runID: calm, stage: stage),
                    "the same \(stage), none lost or doubled")
        }
        let steps = try await pretrainSteps()
        let redone = Set(steps.filter { step in steps.filter { $0 == step }.count > 1 })
        #expect(steps.filter { $0 == 1 }.count == 1, "pretraining did not start over")
        #expect(redone.allSatisfy { $0 > 20 } && redone.min().map { ($0 - 1) % 20 == 0 } != false,
                "the new trainer went on from a checkpoint (every 20 steps): steps done twice \(redone.sorted())")
        for job in ["pretrain"] + Self.students {
            #expect(try Self.checkpoint(harness, runID: stormy, job: job) == Self.checkpoint(harness, runID: calm, job: job),
                    "\(job): the resumed run's weights and loss curve equal the unbroken run's, bit for bit")
        }
        let counters = { (run: String) in try await harness.store.fields(of: StateKeys.counters(run)) }
        #expect(try await counters(stormy) == counters(calm))
        let events = try harness.reasoner(["follow", stormy, "--no-wait"])
        #expect(events.components(separatedBy: "stage.started").count == 9, "one start per stage: \(events)")
        let report = try String(contentsOfFile: harness.root + "/runs/\(stormy)/eval/results.md", encoding: .utf8)
        #expect(Self.students.allSatisfy { report.contains("| \($0) |") }, "\(report)")
        #expect(events.contains("run.done"))
    }
}
