import Foundation
import Testing
@testable import Messaging

@Suite struct InMemoryBrokerTests {
    @Test func keepsTheBrokerContract() async throws {
        try await BrokerConformance.all(InMemoryBroker())
    }

    @Test func answeringTwiceIsAnError() async throws {
        try await BrokerConformance.answeringTwiceIsAnError(InMemoryBroker())
    }

    @Test func foreignBytesArriveAsUndecodableAndCanBeDeadLettered() async throws {
        let broker = InMemoryBroker()
        let topology = BrokerConformance.topology(BrokerConformance.uniquePrefix())
        let queue = topology.queues[0]
        try await broker.declare(topology)
        try await broker.publishRaw(Array("{not json".utf8), toQueue: queue.name)
        let consumer = try await broker.consume(queue: queue.name, prefetch: 1)
        let received = try await consumer.next()
        guard case .undecodable(let raw)? = received else {
            Issue.record("expected undecodable bytes, got \(String(describing: received))")
            return
        }
        #expect(raw.body == Array("{not json".utf8))
        try await consumer.deadLetter(received!, reason: raw.reason)
        #expect(try await broker.depth(of: queue.deadLetterQueue) == 1)
    }

    @Test func redeclaringAQueueDifferentlyIsRefused() async throws {
        let broker = InMemoryBroker()
        let prefix = BrokerConformance.uniquePrefix()
        var topology = BrokerConformance.topology(prefix)
        try await broker.declare(topology)
        topology.queues[0].deliveryLimit = 9
        await #expect(throws: BrokerError.queueRedeclaredDifferently(queue: "\(prefix).work")) {
            try await broker.declare(topology)
        }
    }

    @Test func cancellingAWaitingTaskEndsTheConsumer() async throws {
        let broker = InMemoryBroker()
        let topology = BrokerConformance.topology(BrokerConformance.uniquePrefix())
        try await broker.declare(topology)
        let consumer = try await broker.consume(queue: topology.queues[0].name, prefetch: 1)
        let waiter = Task { try await consumer.next() }
        waiter.cancel()
        let result = try await waiter.value
        #expect(result == nil)
    }
}

@Test(arguments: [
    ("run.*.stage.#", "run.r1.stage.sft.done", true),
    ("run.*.stage.#", "run.r1.stage", true),
    ("run.*.stage.#", "run.r1.r2.stage", false),
    ("#", "anything.at.all", true),
    ("a.*", "a", false),
    ("a.#.z", "a.z", true),
    ("a.#.z", "a.b.c.z", true),
])
func topicPatternsMatchLikeAMQP(pattern: String, key: String, expected: Bool) {
    #expect(TopicPattern.matches(pattern: pattern, routingKey: key) == expected)
}

@Test func envelopesRefuseOtherTypesAndVersions() throws {
    var envelope = try Envelope(BrokerConformance.Ping(n: 3), id: "m1", runID: "r1")
    #expect(try envelope.decode(BrokerConformance.Ping.self).n == 3)
    envelope.version = 2
    #expect(throws: MessageError.unsupportedVersion(id: "m1", type: "test.ping", version: 2, supported: 1)) {
        _ = try envelope.decode(BrokerConformance.Ping.self)
    }
    envelope.version = 1
    envelope.payload = Data("{\"n\": \"three\"}".utf8)
    #expect(throws: MessageError.self) { _ = try envelope.decode(BrokerConformance.Ping.self) }
}
