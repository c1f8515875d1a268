import Artifacts
import Foundation
import Messaging
import ReasonerData
import TestSupport
import Testing
@testable import Pipeline

extension FleetProcessTests {
    /// What another client (Python's pika) publishes to a worker's queue without following the contract: bytes with
    /// no Reasoner properties, an unknown message type, an unknown schema version and a payload that does not decode.
    static let foreignPublisher = """
        import sys, pika
        connection = pika.BlockingConnection(pika.URLParameters(sys.argv[1]))
        channel = connection.channel()
        def send(body, **properties):
            channel.basic_publish("", "reasoner.distiller", body, pika.BasicProperties(delivery_mode=2, **properties))
        send(b"\\x00 not a message")
        run = {"x-reasoner-version": 1, "x-reasoner-run": sys.argv[2]}
        send(b"{}", type="x.unknown", message_id="foreign-1", headers=run)
        send(b"{}", type="distill.batch", message_id="foreign-2", headers={**run, "x-reasoner-version": 99})
        send(b"[1, 2", type="distill.batch", message_id="foreign-3", headers=run)
        connection.close()
        """

    @Test func messagesFromAnotherClientAreDeadLetteredWithAReasonAndTheDistillerKeepsWorking() async throws {
        let harness = try await FleetHarness()
        defer { harness.shutdown() }
        let runID = "foreign-\(UUID().uuidString.prefix(8).lowercased())"
        let distiller = try await harness.start("distiller")
        let (status, output) = try ChildProcess.run("/usr/bin/python3", ["-c", Self.foreignPublisher,
                                                                           harness.environment["REASONER_AMQP_URL"]!,
                                                                           runID], environment: [:])
        #expect(status == 0, "pika publishes (python3-pika, installed by compose/install --servers): \(output)")

        var suite = SuiteConfig()
        (suite.train, suite.validation, suite.test, suite.pretrainPerFamily, suite.formatPerFamily) = (4, 2, 2, 2, 2)
        let data = try ArtifactRef("runs/\(runID)/data")
        let manifest = try SuiteWriter.write(config: suite, to: try harness.artifacts.path(of: data))
        let count = manifest.counts.values.reduce(0) { $0 + ($1["train"] ?? 0) }
        let stage = DistillBatches(runID: runID, dataset: try data.appending("train.jsonl"), itemCount: count,
                                 batchSize: 10, teacher: .offline(seed: 3, errorRate: 0))
        try await stage.enqueue(on: harness.broker)
        try await stage.waitUntilDone(store: harness.store) { _, _ in }
        #expect(try await harness.store.fields(of: StateKeys.counters(runID))["distill_batches"] == "2",
                "the distiller went on with the real work")

        let letters = try await DeadLetters(broker: harness.broker).list(FleetTopology.Queue.distiller)
            .filter { $0.runID == nil || $0.runID == runID }
        #expect(letters.count == 4, "\(letters)")
        let reasons = letters.map(\.reason).joined(separator: "\n")
        for expected in ["not a Reasoner message", "x.unknown", "99", "foreign-3"] {
            #expect(reasons.contains(expected), "a reason names the fault (\(expected)): \(reasons)")
        }
        #expect(!distiller.output.contains("Fatal"), "\(distiller.output)")
    }
}
