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
