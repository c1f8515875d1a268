import Artifacts
import Foundation
import Logging
import Messaging
import ReasonerData
import State
import Synchronization
import Testing
@testable import Pipeline

private func quietLogger() -> Logger { Logger(label: "test") { _ in SwiftLogNoOpLogHandler() } }

/// The default small suite, as the tuple these tests use.
private func smallSuite() throws -> (ArtifactStore, ArtifactRef, Int, String) {
    let suite = try SmallSuite(run: "r1")
    return (suite.artifacts, suite.dataset, suite.count, suite.root)
}

@Test func theDistillStageKeepsExactlyTheRationalesTheJudgeAccepts() async throws {
    let (artifacts, dataset, count, root) = try smallSuite()
    defer { try? FileManager.default.removeItem(atPath: root) }
    let fleet = EmbeddedFleet(artifacts: artifacts, logger: quietLogger())
    let stage = DistillBatches(runID: "r1", dataset: dataset, itemCount: count, batchSize: 7,
                             teacher: .offline(seed: 3, errorRate: 0.3))
    try await fleet.distill(stage, workers: 2) { _, _ in }

    let counters = try await fleet.store.fields(of: StateKeys.counters("r1"))
    let kept = Int(counters["distill_correct"] ?? "0")!
    let wrong = Int(counters["distill_wrong"] ?? "0")!
    #expect(kept + wrong + Int(counters["distill_unscorable"] ?? "0")! == count)
    #expect(wrong > 0, "an error rate of 0.3 over \(count) items gives some wrong rationales")
    #expect(Int(counters["distill_batches"]!)! == (count + 6) / 7)

    let items = try RowFiles.read(SuiteItem.self, path: try artifacts.path(of: dataset), imageRoot: nil).rows
    let answers = Dictionary(uniqueKeysWithValues: items.map { ($0.id, $0) })
    var rows: [ConversationRow] = []
    for (id, batch) in try stage.batches() {
        _ = id
        rows += try RowFiles.read(ConversationRow.self, path: try artifacts.path(of: batch.output), imageRoot: nil).rows
    }
    #expect(rows.count == kept)
    for row in rows {
        #expect(row.id.hasSuffix("-cot"), "a CoT row, named as TrainingRows names them")
        let item = try #require(answers[String(row.id.dropLast("-cot".count))])
        #expect(AnswerJudge.isCorrect(row.conversations[1].value, key: AnswerKey(item)))
        #expect(row.conversations[0].value.hasPrefix("<image>\n"))
        #expect(row.conversations[0].value.components(separatedBy: "<image>").count == 2, "one image marker")
    }
}

@Test func enqueuingTheStageTwiceDoesTheWorkOnce() async throws {
    let (artifacts, dataset, count, root) = try smallSuite()
    defer { try? FileManager.default.removeItem(atPath: root) }
    let fleet = EmbeddedFleet(artifacts: artifacts, logger: quietLogger())
    let stage = DistillBatches(runID: "r1", dataset: dataset, itemCount: count, batchSize: 20,
                             teacher: .offline(seed: 1, errorRate: 0.1))
    try await fleet.distill(stage, workers: 1) { _, _ in }
    let first = try await fleet.store.fields(of: StateKeys.counters("r1"))
    try await fleet.distill(stage, workers: 2) { _, _ in }  // the coordinator restarted and enqueued again
    #expect(try await fleet.store.fields(of: StateKeys.counters("r1")) == first)
}

@Test func aBatchOutsideItsDatasetIsDeadLetteredWithTheReason() async throws {
    let (artifacts, dataset, count, root) = try smallSuite()
    defer { try? FileManager.default.removeItem(atPath: root) }
    let fleet = EmbeddedFleet(artifacts: artifacts, logger: quietLogger())
    try await fleet.broker.declare(FleetTopology.standard)
    let batch = DistillBatch(dataset: dataset, firstLine: count, lineCount: 5, teacher: .offline(seed: 0, errorRate: 0),
                             output: try ArtifactRef("runs/r1/distill/bad.jsonl"))
    try await fleet.broker.publish([FleetTopology.work(FleetTopology.Queue.distiller,
                                                       try Envelope(batch, id: "bad", runID: "r1"))])
    let worker = Worker(role: "distiller", queue: FleetTopology.Queue.distiller, prefetch: 1, broker: fleet.broker,
                        store: fleet.store, handler: DistillHandler(artifacts: artifacts), logger: quietLogger())
    let consumer = try await fleet.broker.consume(queue: FleetTopology.Queue.distiller, prefetch: 1)
    try await worker.process(try #require(try await consumer.next()), consumer: consumer)
    let dead = try await fleet.broker.consume(queue: FleetTopology.Queue.distiller + ".dlq", prefetch: 1)
    guard case .message(let letter)? = try await dead.next() else {
        Issue.record("the batch should be in the dead-letter queue")
        return
    }
    #expect(letter.envelope.headers[InMemoryBroker.deadLetterReasonHeader]?.contains("outside") == true)
}

/// The quick preset shrunk to `train` scenes per family (a few of everything else), and a fresh artifacts folder.
private func smallEmbeddedRun(train: Int) throws -> (PipelineDefinition, ArtifactStore) {
    var definition = PipelinePreset.quick.definition
    (definition.suite.train, definition.suite.validation, definition.suite.test) = (train, 2, 2)
    (definition.suite.pretrainPerFamily, definition.suite.formatPerFamily) = (2, 2)
    let artifacts = try ArtifactStore(root: FileManager.default.temporaryDirectory
        .appendingPathComponent("embedded-\(UUID().uuidString)").path)
    return (definition, artifacts)
}

@Test func anEmbeddedRunWhoseWorkIsDeadLetteredStopsWithTheReason() async throws {
    var (definition, artifacts) = try smallEmbeddedRun(train: 2)
    defer { try? FileManager.default.removeItem(atPath: artifacts.root) }
    definition.distill.teacher = "endpoint"  // no endpoint teacher in this process
    definition.student.checkpoint = "students/none"  // never reached: the distill stage stops the run
    let fleet = EmbeddedFleet(artifacts: artifacts, logger: quietLogger())
    await #expect(throws: EmbeddedRunError.self) { try await fleet.run(definition, runID: "e2") { _ in } }
}
