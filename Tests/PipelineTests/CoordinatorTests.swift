import Foundation
import Logging
import Messaging
import State
import Testing
@testable import Pipeline

/// A step of the toy pipeline: `stage` handles `index`.
private struct ToyStep: WorkMessage {
    static let typeName = "test.toy-step"
    static let schemaVersion = 1
    var stage: String
    var index: Int
}

/// Counts how often each message id was handled; `broken` message ids fail for good (after an early
/// acknowledgement when `acknowledgeFirst`, as a training job does).
private final class ToyHandler: MessageHandler, @unchecked Sendable {  // counts under a lock
    private let lock = NSLock()
    private var counts: [String: Int] = [:]
    private var brokenIDs: Set<String> = []
    private var acknowledgeFirst = false

    func calls() -> [String: Int] { lock.withLock { counts } }
    func breakMessages(_ ids: Set<String>, acknowledgeFirst: Bool) {
        lock.withLock { (brokenIDs, self.acknowledgeFirst) = (ids, acknowledgeFirst) }
    }

    func handle(_ message: ToyStep, context: HandlerContext) async throws -> HandlerOutcome {
        let (broken, early) = lock.withLock {
            counts[context.messageID, default: 0] += 1
            return (brokenIDs.contains(context.messageID), acknowledgeFirst)
        }
        if broken {
            if early { try await context.acknowledgeEarly() }
            throw HandlerError.permanent("the data of \(context.messageID) is unusable")
        }
        return HandlerOutcome(result: ["stage": message.stage])
    }
}

/// Two stages of three and two steps.
private struct ToyPlanner: RunPlanner {
    let stages = ["first", "second"]

    func plan(stage: String, runID: String) async throws -> StagePlan {
        let count = stage == "first" ? 3 : 2
        let messages = try (0..<count).map { index in
            OutgoingMessage(exchange: "work", routingKey: "toy", envelope: try Envelope(
                ToyStep(stage: stage, index: index), id: "\(runID).\(stage).\(index)", runID: runID))
        }
        return StagePlan(stage: stage, messages: messages)
    }
}

private struct ToyFleet {
    let broker = InMemoryBroker()
    let store = InMemoryStateStore()
    let handler = ToyHandler()
    let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    init() async throws {
        try await broker.declare(Topology(workExchange: "work", eventsExchange: "events", deadLetterExchange: "dlx",
                                          queues: [QueueDeclaration(name: "toy", deliveryLimit: 3)]))
    }

    func coordinator(reissueAfter: Duration = .seconds(600)) -> Coordinator {
        Coordinator(broker: broker, store: store, logger: logger, reissueAfter: reissueAfter) { _ in ToyPlanner() }
    }

    /// Handles whatever is queued now.
    func work() async throws {
        let worker = Worker(role: "toy", queue: "toy", prefetch: 1, broker: broker, store: store, handler: handler,
                            logger: logger)
        let consumer = try await broker.consume(queue: "toy", prefetch: 1)
        for _ in 0..<(try await broker.depth(of: "toy")) {
            try await worker.process(try #require(try await consumer.next()), consumer: consumer)
        }
        await consumer.cancel()
    }

    func stages(_ runID: String) async throws -> [String] {
        try await store.read(StateKeys.events(runID), after: .start, limit: 100).map {
            [$0.fields["kind"] ?? "", $0.fields["stage"] ?? ""].filter { !$0.isEmpty }.joined(separator: " ")
        }
    }
}

@Test func aRunGoesThroughItsStagesInOrderAndEnds() async throws {
    let fleet = try await ToyFleet()
    let coordinator = fleet.coordinator()
    try await Coordinator.submit(runID: "r1", pipeline: "runs/r1/pipeline.json", store: fleet.store)
    try await coordinator.advanceAll()
    #expect(try await RunRecord.read("r1", from: fleet.store)?.stage == "first")
    #expect(try await fleet.broker.depth(of: "toy") == 3)
    try await coordinator.advanceAll()
    #expect(try await fleet.broker.depth(of: "toy") == 3, "published once, not on every tick")
    try await fleet.work()
    try await coordinator.advanceAll()
    #expect(try await RunRecord.read("r1", from: fleet.store)?.stage == "second")
    try await fleet.work()
    try await coordinator.advanceAll()
    #expect(try await RunRecord.read("r1", from: fleet.store)?.state == .done)
    #expect(try await fleet.store.fields(of: StateKeys.runs) == ["r1": "done"])
    #expect(try await fleet.stages("r1") == ["run.submitted", "stage.started first", "stage.started second",
                                             "run.done"])
    #expect(fleet.handler.calls().values.allSatisfy { $0 == 1 } && fleet.handler.calls().count == 5)
}

@Test func aRestartedCoordinatorCarriesOnWithoutRepeatingWork() async throws {
    let fleet = try await ToyFleet()
    try await Coordinator.submit(runID: "r2", pipeline: "p", store: fleet.store)
    try await Coordinator.submit(runID: "r2", pipeline: "p", store: fleet.store)  // submitting twice is one run
    try await fleet.coordinator().advanceAll()
    try await fleet.work()
    // The first coordinator is gone (killed between stages); a new one republishes the unfinished stage, whose
    // done messages are skipped, and moves the run on.
    let second = fleet.coordinator()
    try await second.advanceAll()
    try await fleet.work()
    let third = fleet.coordinator()  // and killed again mid-stage: the duplicates it publishes are skipped
    try await third.advanceAll()
    try await fleet.work()
    try await third.advanceAll()
    #expect(try await RunRecord.read("r2", from: fleet.store)?.state == .done)
    #expect(fleet.handler.calls().count == 5)
    #expect(fleet.handler.calls().values.allSatisfy { $0 == 1 }, "every step handled once: \(fleet.handler.calls())")
    #expect(try await fleet.stages("r2").filter { $0 == "stage.started second" }.count == 1)
}

@Test func lostWorkIsReissuedOnceTheQueuesAreEmptyAndNothingMoves() async throws {
    let fleet = try await ToyFleet()
    let coordinator = fleet.coordinator(reissueAfter: .zero)
    try await Coordinator.submit(runID: "r3", pipeline: "p", store: fleet.store)
    try await coordinator.advanceAll()
    #expect(try await fleet.broker.purge("toy") == 3)  // lost: an operator purged the queue
    try await coordinator.advanceAll()
    #expect(try await fleet.broker.depth(of: "toy") == 3, "re-issued")
    try await coordinator.advanceAll()
    #expect(try await fleet.broker.depth(of: "toy") == 3, "not while the queue holds them")
    try await fleet.work()
    try await coordinator.advanceAll()
    try await fleet.work()
    try await coordinator.advanceAll()
    #expect(try await RunRecord.read("r3", from: fleet.store)?.state == .done)
}

@Test func presenceListsTheProcessesStampedRecently() async throws {
    let store = InMemoryStateStore()
    try await store.setFields(["sampler a pid 1": "1000", "judge b pid 2": "990", "old c pid 3": "100",
                               "gone d pid 4": "stopped"], of: StateKeys.workers)
    let seen = try await Presence.seen(in: store, window: 60, now: 1_010)
    #expect(seen.map(\.name) == ["judge b pid 2", "sampler a pid 1"])
    #expect(seen.map(\.ago) == [20, 10])
}


@Test(arguments: [false, true])
func aPermanentFailureFailsTheRunWithTheReasonAndARetryResumesIt(afterEarlyAck: Bool) async throws {
    let fleet = try await ToyFleet()
    let coordinator = fleet.coordinator(reissueAfter: .zero)
    try await Coordinator.submit(runID: "r1", pipeline: "runs/r1/pipeline.json", store: fleet.store)
    fleet.handler.breakMessages(["r1.first.1"], acknowledgeFirst: afterEarlyAck)
    try await coordinator.advanceAll()
    try await fleet.work()
    try await coordinator.advanceAll()
    let failed = try #require(try await RunRecord.read("r1", from: fleet.store))
    #expect(failed.state == .failed && failed.stage == "first")
    #expect(failed.reason == "r1.first.1: the data of r1.first.1 is unusable")
    #expect(try await fleet.stages("r1").last == "run.failed first")
    // A failed run is not driven (no re-issue loop), however often the coordinator passes.
    for _ in 0..<3 { try await coordinator.advanceAll() }
    #expect(try await fleet.broker.depth(of: "toy") == 0 && fleet.handler.calls()["r1.first.1"] == 1)
    await #expect(throws: RunRetry.Refusal.notFailed("r2", .submitted)) {
        try await Coordinator.submit(runID: "r2", pipeline: "p", store: fleet.store)
        try await RunRetry.retry("r2", store: fleet.store)
    }
    // The cause fixed, a retry re-issues the unfinished message only and the run finishes.
    fleet.handler.breakMessages([], acknowledgeFirst: false)
    try await RunRetry.retry("r1", store: fleet.store)
    try await coordinator.advanceAll()
    try await fleet.work()
    try await coordinator.advanceAll()
    try await fleet.work()
    try await coordinator.advanceAll()
    #expect(try await RunRecord.read("r1", from: fleet.store)?.state == .done)
    #expect(fleet.handler.calls()["r1.first.0"] == 1 && fleet.handler.calls()["r1.first.1"] == 2)
}

@Test func theCoordinatorPlansEachStageOnceHoweverManyTicks() async throws {
    let fleet = try await ToyFleet()
    let coordinator = fleet.coordinator()
    try await Coordinator.submit(runID: "r1", pipeline: "runs/r1/pipeline.json", store: fleet.store)
    for _ in 0..<20 { try await coordinator.advanceAll() }
    #expect(await coordinator.plansMade == 1, "the first stage is planned once, not on every tick")
    try await fleet.work()
    for _ in 0..<20 { try await coordinator.advanceAll() }
    #expect(await coordinator.plansMade == 2)
}
