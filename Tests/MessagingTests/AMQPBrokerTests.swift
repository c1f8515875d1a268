import Foundation
import Testing
@testable import Messaging

@Suite struct AMQPBrokerTests {
    /// Deletes the queues and exchanges a conformance topology made on the real server.
    private func remove(_ prefixes: [String]) throws {
        let connection = try AMQPTestServer.connect()
        defer { connection.close() }
        for prefix in prefixes {
            let topology = BrokerConformance.topology(prefix)
            for queue in topology.queues {
                try? connection.deleteQueue(queue.name)
                try? connection.deleteQueue(queue.deadLetterQueue)
            }
            for exchange in [topology.workExchange, topology.eventsExchange, topology.deadLetterExchange] {
                try? connection.deleteExchange(exchange)
            }
        }
    }

    @Test func keepsTheBrokerContractOnARealRabbitMQ() async throws {
        let broker = AMQPBroker(configuration: try AMQPTestServer.configuration())
        defer { broker.shutdown() }
        let prefix = BrokerConformance.uniquePrefix()
        let used = (1...6).map { "\(prefix)-\($0)" }
        defer { try? remove(used) }
        try await BrokerConformance.all(broker, prefix: prefix)
    }

    @Test func foreignMessagesArriveUndecodableAndDeadLetterWithTheirReason() async throws {
        let broker = AMQPBroker(configuration: try AMQPTestServer.configuration())
        defer { broker.shutdown() }
        let prefix = BrokerConformance.uniquePrefix()
        defer { try? remove([prefix]) }
        let topology = BrokerConformance.topology(prefix)
        let queue = topology.queues[0]
        try await broker.declare(topology)
        // Another client (no type, no message id, no Reasoner headers) publishes to the work queue.
        let foreign = try AMQPTestServer.connect()
        defer { foreign.close() }
        try foreign.enablePublisherConfirms()
        try foreign.publish(AMQPMessage(body: Array("{\"hello\": 1}".utf8)), exchange: topology.workExchange,
                            routingKey: queue.routingKey)
        #expect(try foreign.waitForConfirms(timeout: .seconds(10)).allDelivered)
        let consumer = try await broker.consume(queue: queue.name, prefetch: 1)
        let received = try #require(try await consumer.next())
        guard case .undecodable(let raw) = received else {
            Issue.record("expected an undecodable delivery, got \(received)")
            return
        }
        #expect(raw.body == Array("{\"hello\": 1}".utf8))
        try await consumer.deadLetter(received, reason: raw.reason)
        await consumer.cancel()
        let dead = try await broker.consume(queue: queue.deadLetterQueue, prefetch: 1)
        let letter = try #require(try await dead.next())
        guard case .undecodable(let stored) = letter else {
            Issue.record("the dead letter keeps the foreign bytes")
            return
        }
        #expect(stored.body == raw.body)
        try await dead.ack(tag: letter.tag)
        await dead.cancel()
        #expect(try await broker.depth(of: queue.name) == 0)
    }
}

/// A handler that works for longer than two heartbeat intervals between deliveries: the consumer's connection thread
/// keeps heartbeats flowing, so the connection survives and the message is not redelivered. The interval is 5 s and
/// the handler 15 s (three intervals; the broker drops a connection silent for two): with 1 s and 4 s, a loaded CI
/// machine (another test booting a scratch RabbitMQ beside it) stalled the processes for longer than two intervals
/// and the connections dropped although heartbeats were due to flow.
@Test func heartbeatsFlowWhileAHandlerWorksLong() async throws {
    var configuration = try AMQPTestServer.configuration()
    configuration.heartbeatSeconds = 5
    let broker = AMQPBroker(configuration: configuration)
    defer { broker.shutdown() }
    let prefix = BrokerConformance.uniquePrefix()
    let topology = BrokerConformance.topology(prefix)
    try await broker.declare(topology)
    let consumer = try await broker.consume(queue: topology.queues[0].name, prefetch: 1)
    try await broker.publish([try BrokerConformance.ping(1, topology, id: "m1")])
    guard case .message(let first)? = try await consumer.next() else {
        Issue.record("expected the first message")
        return
    }
    try await Task.sleep(for: .seconds(15))  // a long handler: the broker drops a connection silent for ~2 heartbeats
    try await consumer.ack(tag: first.tag)
    try await broker.publish([try BrokerConformance.ping(2, topology, id: "m2")])
    guard case .message(let second)? = try await consumer.next() else {
        Issue.record("expected the second message")
        return
    }
    #expect(second.envelope.id == "m2" && !second.redelivered, "the first message was not redelivered: got \(second.envelope.id)")
    try await consumer.ack(tag: second.tag)
    await consumer.cancel()
    #expect(try await broker.depth(of: topology.queues[0].name) == 0)
    let connection = try AMQPTestServer.connect()
    defer { connection.close() }
    for queue in topology.queues {
        try? connection.deleteQueue(queue.name)
        try? connection.deleteQueue(queue.deadLetterQueue)
    }
    for exchange in [topology.workExchange, topology.eventsExchange, topology.deadLetterExchange] {
        try? connection.deleteExchange(exchange)
    }
}
