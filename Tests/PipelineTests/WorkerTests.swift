import Artifacts
import Foundation
import Logging
import Messaging
import ServiceLifecycle
import State
import Testing
@testable import Pipeline

/// A message for the tests: square `n`; `poison` fails permanently, `flaky` fails every time.
private struct Square: WorkMessage {
    static let typeName = "test.square"
    static let schemaVersion = 1
    var n: Int
    var mode: String = "ok"
}

private struct Squared: WorkMessage {
    static let typeName = "test.squared"
    static let schemaVersion = 1
    var value: Int
}

/// Squares numbers, counting its calls, and sends the square on as a follow-up.
private final class SquareHandler: MessageHandler, @unchecked Sendable {  // calls counted under a lock
    private let lock = NSLock()
    private var callsByID: [String: Int] = [:]
    let topology: Topology

    init(topology: Topology) { self.topology = topology }

    func calls(_ id: String) -> Int { lock.withLock { callsByID[id, default: 0] } }

    func handle(_ message: Square, context: HandlerContext) async throws -> HandlerOutcome {
        lock.withLock { callsByID[context.messageID, default: 0] += 1 }
        switch message.mode {
        case "poison": throw HandlerError.permanent("n must be positive")
        case "flaky": throw CocoaError(.fileReadUnknown)
        case "escape": throw ArtifactError.escapesRoot(ref: "runs/r1/link", resolved: "/etc")
        default: break
        }
        let followUp = OutgoingMessage(exchange: topology.workExchange, routingKey: topology.queues[1].routingKey,
                                       envelope: try Envelope(Squared(value: message.n * message.n),
                                                              id: context.messageID + ".squared", runID: context.runID))
        return HandlerOutcome(result: ["square": String(message.n * message.n)],
                              increments: [CounterIncrement(key: StateKeys.counters(context.runID), field: "squared",
                                                            delta: 1)],
                              followUps: [followUp])
    }
}

private struct Fixture {
    let broker = InMemoryBroker()
    let store = InMemoryStateStore()
    let topology: Topology
    let handler: SquareHandler
    let worker: Worker<SquareHandler>

    init() async throws {
        topology = Topology(workExchange: "work", eventsExchange: "events", deadLetterExchange: "dlx",
                            queues: [QueueDeclaration(name: "square", deliveryLimit: 2),
                                     QueueDeclaration(name: "squared", deliveryLimit: 2)])
        try await broker.declare(topology)
        handler = SquareHandler(topology: topology)
        worker = Worker(role: "squarer", queue: "square", prefetch: 1, broker: broker, store: store, handler: handler,
                        logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
                        retryBackoff: RetryBackoff(initial: .milliseconds(1), maximum: .milliseconds(2)),
                        deliveryLimit: 2)
    }

    func send(_ message: Square, id: String) async throws {
        try await broker.publish([OutgoingMessage(exchange: "work", routingKey: "square",
                                                  envelope: try Envelope(message, id: id, runID: "r1"))])
    }

    /// Processes exactly `count` deliveries of the work queue.
    func process(_ count: Int) async throws {
        let consumer = try await broker.consume(queue: "square", prefetch: 1)
        for _ in 0..<count { try await worker.process(try #require(try await consumer.next()), consumer: consumer) }
        await consumer.cancel()
    }
}

@Test func completedMessagesRecordEffectsAndPublishFollowUps() async throws {
    let fixture = try await Fixture()
    try await fixture.send(Square(n: 3), id: "m1")
    try await fixture.process(1)
    #expect(try await fixture.store.fields(of: StateKeys.counters("r1")) == ["squared": "1"])
    #expect(try await fixture.broker.depth(of: "squared") == 1)
    #expect(try await fixture.broker.depth(of: "square") == 0)
}

@Test func aRedeliveredDoneMessageIsNotHandledAgainButItsFollowUpsAreRepublished() async throws {
    let fixture = try await Fixture()
    try await fixture.send(Square(n: 4), id: "m1")
    try await fixture.process(1)
    try await fixture.send(Square(n: 4), id: "m1")  // the same message again, as after a crash before the ack
    try await fixture.process(1)
    #expect(fixture.handler.calls("m1") == 1)
    #expect(try await fixture.store.fields(of: StateKeys.counters("r1")) == ["squared": "1"])
    #expect(try await fixture.broker.depth(of: "squared") == 2, "follow-ups are re-sent; downstream dedupes by id")
}

@Test func poisonAndForeignMessagesAreDeadLetteredWithAReasonAndTheQueueMoves() async throws {
    let fixture = try await Fixture()
    try await fixture.send(Square(n: -1, mode: "poison"), id: "bad")
    try await fixture.broker.publishRaw(Array("garbage".utf8), toQueue: "square")
    try await fixture.broker.publish([OutgoingMessage(exchange: "work", routingKey: "square",
                                                      envelope: Envelope(type: "test.square", version: 9, id: "v9",
                                                                         runID: "r1", payload: Data("{}".utf8)))])
    try await fixture.send(Square(n: 5), id: "good")
    try await fixture.process(4)
    #expect(try await fixture.broker.depth(of: "square.dlq") == 3)
    #expect(try await fixture.store.fields(of: StateKeys.counters("r1")) == ["squared": "1"])
    let dead = try await fixture.broker.consume(queue: "square.dlq", prefetch: 10)
    var reasons: [String] = []
    for _ in 0..<3 {
        switch try await dead.next() {
        case .message(let delivery)?: reasons.append(delivery.envelope.headers[InMemoryBroker.deadLetterReasonHeader] ?? "")
        case .undecodable(let raw)?: reasons.append(raw.reason)
        case nil: break
        }
    }
    #expect(reasons.contains("n must be positive"))
    #expect(reasons.contains { $0.contains("version 9") })
    #expect(reasons.contains { $0.contains("not a Reasoner message") })
}

@Test func transientFailuresAreRetriedUntilTheDeliveryLimit() async throws {
    let fixture = try await Fixture()
    try await fixture.send(Square(n: 2, mode: "flaky"), id: "flaky")
    try await fixture.process(3)  // limit 2: delivered 3 times, then dead-lettered by the broker
    #expect(fixture.handler.calls("flaky") == 3)
    #expect(try await fixture.broker.depth(of: "square.dlq") == 1)
    #expect(try await fixture.broker.depth(of: "square") == 0)
    let failures = try await fixture.store.fields(of: StateKeys.failures("r1"))
    #expect(failures["flaky"]?.contains("failed 3 deliveries") == true, "the last try leaves the run's failure mark")
}

@Test func aRefThatEscapesTheVolumeIsDeadLetteredAtOnceWithItsReason() async throws {
    let fixture = try await Fixture()
    try await fixture.send(Square(n: 2, mode: "escape"), id: "escape")
    try await fixture.process(1)
    #expect(fixture.handler.calls("escape") == 1, "not retried")
    #expect(try await fixture.broker.depth(of: "square.dlq") == 1)
    let failures = try await fixture.store.fields(of: StateKeys.failures("r1"))
    #expect(failures["escape"]?.contains("leads outside the artifacts root") == true)
}

@Test(arguments: ["0", "-3", "two", "1.5", ""])
func numericEnvironmentSettingsAreCheckedWithTheirRange(value: String) throws {
    for name in ["REASONER_PREFETCH", "REASONER_TEACHER_CONCURRENCY", "REASONER_TEACHER_RPM", "OPENBLAS_NUM_THREADS"] {
        if value.isEmpty {
            #expect(try EnvironmentSettings.integer(name, default: 7, [name: value]) == 7, "unset means the default")
            continue
        }
        #expect(throws: EnvironmentSettings.Invalid.self) { try EnvironmentSettings.validate([name: value]) }
        do {
            try EnvironmentSettings.validate([name: value])
        } catch let error as EnvironmentSettings.Invalid {
            #expect(error.description.hasPrefix("\(name)=\(value) is not usable: it must be a whole number from 1"))
        }
    }
    #expect(throws: EnvironmentSettings.Invalid.self) {
        try EnvironmentSettings.validate(["REASONER_TEACHER_PRICE_PROMPT": "-1" + value])
    }
    #expect(try EnvironmentSettings.integer("REASONER_PREFETCH", default: 1, ["REASONER_PREFETCH": "4"]) == 4)
}

@Test func gracefulShutdownStopsTheLoop() async throws {
    let fixture = try await Fixture()
    try await fixture.send(Square(n: 6), id: "m1")
    let group = ServiceGroup(services: [fixture.worker], logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    let running = Task { try await group.run() }
    while try await fixture.store.fields(of: StateKeys.counters("r1")).isEmpty {
        try await Task.sleep(for: .milliseconds(5))
    }
    await group.triggerGracefulShutdown()
    try await running.value
    #expect(try await fixture.broker.depth(of: "squared") == 1)
}

@Test func backoffDoublesUpToItsCap() {
    let backoff = RetryBackoff(initial: .milliseconds(100), maximum: .seconds(1))
    #expect(backoff.delay(afterDeliveries: 1) == .milliseconds(100))
    #expect(backoff.delay(afterDeliveries: 3) == .milliseconds(400))
    #expect(backoff.delay(afterDeliveries: 30) == .seconds(1))
}

/// A long job: acknowledges early, or reports that another worker owns it.
private struct LongJob: WorkMessage {
    static let typeName = "test.long-job"
    static let schemaVersion = 1
    var owned: Bool
}

private struct LongJobHandler: MessageHandler {
    func handle(_ job: LongJob, context: HandlerContext) async throws -> HandlerOutcome {
        guard job.owned else { throw HandlerError.ownedElsewhere("held by worker-2") }
        try await context.acknowledgeEarly()
        try await context.acknowledgeEarly()  // twice is once
        return HandlerOutcome(increments: [CounterIncrement(key: StateKeys.counters(context.runID), field: "jobs",
                                                            delta: 1)])
    }
}

@Test func longJobsAcknowledgeEarlyAndJobsOwnedElsewhereRecordNothing() async throws {
    let broker = InMemoryBroker()
    let store = InMemoryStateStore()
    try await broker.declare(Topology(workExchange: "work", eventsExchange: "events", deadLetterExchange: "dlx",
                                      queues: [QueueDeclaration(name: "jobs", deliveryLimit: 2)]))
    let worker = Worker(role: "trainer", queue: "jobs", prefetch: 1, broker: broker, store: store,
                        handler: LongJobHandler(), logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
    for (id, owned) in [("mine", true), ("theirs", false)] {
        try await broker.publish([OutgoingMessage(exchange: "work", routingKey: "jobs",
                                                  envelope: try Envelope(LongJob(owned: owned), id: id, runID: "r"))])
    }
    let consumer = try await broker.consume(queue: "jobs", prefetch: 1)
    for _ in 0..<2 { try await worker.process(try #require(try await consumer.next()), consumer: consumer) }
    await consumer.cancel()
    #expect(try await broker.depth(of: "jobs") == 0, "both acknowledged, neither handed back")
    #expect(try await broker.depth(of: "jobs.dlq") == 0)
    #expect(try await store.fields(of: StateKeys.counters("r")) == ["jobs": "1"])
    #expect(try await store.fields(of: StateKeys.done(runID: "r", messageID: "theirs")).isEmpty,
            "the owner records the job, not this worker")
}
