import Artifacts
import Foundation
import Messaging
import ReasonerData
import State
import TestSupport
import Testing
@testable import Pipeline

private func distillerPath() -> String { FleetHarness.executable("distiller") }

extension FleetProcessTests {
/// Real processes on the real servers: a distiller killed with SIGKILL in the middle of a batch; the batch goes back
/// to the queue, a second distiller completes it, and its effects are recorded exactly once.
@Test func aDistillerKilledMidBatchIsReplacedAndTheBatchCompletesOnce() async throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("fleet-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: root) }
    let artifacts = try ArtifactStore(root: root)
    let runID = "kill-\(UUID().uuidString.prefix(8))"
    var suite = SuiteConfig()
    suite.train = 1_500  // a batch big enough that the kill lands while the handler works
    suite.validation = 2
    suite.test = 2
    suite.pretrainPerFamily = 2
    suite.formatPerFamily = 2
    let data = try ArtifactRef("runs/\(runID)/data")
    let manifest = try SuiteWriter.write(config: suite, to: try artifacts.path(of: data))
    let count = manifest.counts.values.reduce(0) { $0 + ($1["train"] ?? 0) }

    let amqpURL = ProcessInfo.processInfo.environment["REASONER_AMQP_URL"] ?? "amqp://guest:guest@127.0.0.1:5679/%2F"
    let redisURL = ProcessInfo.processInfo.environment["REASONER_REDIS_URL"] ?? "redis://127.0.0.1:6390/0"
    let environment = ["REASONER_AMQP_URL": amqpURL, "REASONER_REDIS_URL": redisURL, "REASONER_ARTIFACTS": root]
    let broker = AMQPBroker(configuration: try AMQPConfiguration(url: amqpURL))
    defer { broker.shutdown() }
    let store = try RedisStateStore(configuration: try RedisConfiguration(url: redisURL))
    defer { store.close() }
    try await broker.declare(FleetTopology.standard)
    _ = try await broker.purge(FleetTopology.Queue.distiller)

    let first = try ChildProcess(executable: distillerPath(), environment: environment)
    #expect(try await first.waitForOutput("consuming"), "the distiller starts: \(first.output)")
    let stage = DistillBatches(runID: runID, dataset: try data.appending("train.jsonl"), itemCount: count,
                             batchSize: count, teacher: .offline(seed: 5, errorRate: 0.2))
    try await stage.enqueue(on: broker)
    #expect(try await first.waitForOutput("handling"), "the distiller takes the batch: \(first.output)")
    first.signal(SIGKILL)
    #expect(first.wait() == 128 + SIGKILL)
    #expect(try await store.fields(of: StateKeys.counters(runID)).isEmpty, "killed before recording anything")

    let second = try ChildProcess(executable: distillerPath(), environment: environment)
    try await stage.waitUntilDone(store: store) { _, _ in }
    second.signal(SIGTERM)
    #expect(second.wait() == 0, "SIGTERM stops a distiller cleanly: \(second.output)")
    #expect(second.output.contains("redelivered=true"), "the batch came back as a redelivery")

    let counters = try await store.fields(of: StateKeys.counters(runID))
    #expect(counters["distill_batches"] == "1", "completed exactly once")
    let kept = Int(counters["distill_correct"] ?? "0")!, wrong = Int(counters["distill_wrong"] ?? "0")!
    #expect(kept + wrong + Int(counters["distill_unscorable"] ?? "0")! == count)
    let rows = try RowFiles.read(ConversationRow.self, path: try artifacts.path(of: try stage.batches()[0].batch.output),
                                 imageRoot: nil).rows
    #expect(rows.count == kept)
    #expect(try await broker.depth(of: FleetTopology.Queue.distiller) == 0)
}
}
