import Foundation
import Testing
@testable import Messaging

/// The contract every `MessageBroker` keeps, run against each implementation (in-process here; AMQP against the
/// real RabbitMQ). Each check builds its own uniquely named topology, so checks can run in parallel on one server.
enum BrokerConformance {
    struct Ping: WorkMessage, Equatable {
        static let typeName = "test.ping"
        static let schemaVersion = 1
        var n: Int
    }

    /// A topology with one work queue (`<prefix>.work`, delivery limit 2) and one events queue (`<prefix>.events`).
    static func topology(_ prefix: String) -> Topology {
        Topology(workExchange: "\(prefix).x.work", eventsExchange: "\(prefix).x.events",
                 deadLetterExchange: "\(prefix).x.dlx",
                 queues: [QueueDeclaration(name: "\(prefix).work", deliveryLimit: 2),
                          QueueDeclaration(name: "\(prefix).events", deliveryLimit: 5,
                                           eventsPattern: "run.*.stage.#")])
    }

    static func uniquePrefix() -> String { "conf-\(UUID().uuidString.prefix(8).lowercased())" }

    static func ping(_ n: Int, _ topology: Topology, id: String? = nil) throws -> OutgoingMessage {
        OutgoingMessage(exchange: topology.workExchange, routingKey: topology.queues[0].routingKey,
                        envelope: try Envelope(Ping(n: n), id: id ?? "ping-\(n)", runID: "run-1"))
    }

    static func message(_ received: Received?) throws -> Delivery {
        guard case .message(let delivery)? = received else {
            Issue.record("expected a message, got \(String(describing: received))")
            throw CancellationError()
        }
        return delivery
    }

    static func roundTrip(_ broker: any MessageBroker, prefix: String = uniquePrefix()) async throws {
        let topology = topology(prefix)
        try await broker.declare(topology)
        try await broker.declare(topology)  // idempotent
        try await broker.publish((1...3).map { try ping($0, topology) })
        let consumer = try await broker.consume(queue: topology.queues[0].name, prefetch: 10)
        var seen: [Int] = []
        for _ in 1...3 {
            let delivery = try message(try await consumer.next())
            #expect(!delivery.redelivered && delivery.previousDeliveries == 0)
            #expect(delivery.envelope.runID == "run-1")
            seen.append(try delivery.envelope.decode(Ping.self).n)
            try await consumer.ack(tag: delivery.tag)
        }
        #expect(seen == [1, 2, 3])
        #expect(try await broker.depth(of: topology.queues[0].name) == 0)
        await consumer.cancel()
    }

    static func unroutableIsAnError(_ broker: any MessageBroker, prefix: String = uniquePrefix()) async throws {
        let topology = topology(prefix)
        try await broker.declare(topology)
        let lost = OutgoingMessage(exchange: topology.workExchange, routingKey: "nobody-listens",
                                   envelope: try Envelope(Ping(n: 0), id: "lost", runID: "run-1"))
        await #expect(throws: BrokerError.self) { try await broker.publish([lost]) }
    }

    static func rejectedPastTheLimitIsDeadLettered(_ broker: any MessageBroker, prefix: String = uniquePrefix()) async throws {
        let topology = topology(prefix)
        let queue = topology.queues[0]
        try await broker.declare(topology)
        try await broker.publish([try ping(7, topology)])
        let consumer = try await broker.consume(queue: queue.name, prefetch: 1)
        var deliveries = 0
        while deliveries < 10 {
            deliveries += 1
            let delivery = try message(try await consumer.next())
            #expect(delivery.redelivered == (deliveries > 1))
            try await consumer.reject(tag: delivery.tag, requeue: true)
            if deliveries == queue.deliveryLimit + 1 { break }
        }
        #expect(deliveries == queue.deliveryLimit + 1, "a message is delivered limit + 1 times before dead-lettering")
        let dead = try await broker.consume(queue: queue.deadLetterQueue, prefetch: 1)
        let letter = try message(try await dead.next())
        #expect(try letter.envelope.decode(Ping.self) == Ping(n: 7))
        #expect(letter.envelope.headers[InMemoryBroker.deadLetterReasonHeader]?.contains("delivery") == true)
        try await dead.ack(tag: letter.tag)
        #expect(try await broker.depth(of: queue.name) == 0)
        await consumer.cancel()
        await dead.cancel()
    }

    static func deadLetterCarriesTheReason(_ broker: any MessageBroker, prefix: String = uniquePrefix()) async throws {
        let topology = topology(prefix)
        let queue = topology.queues[0]
        try await broker.declare(topology)
        try await broker.publish([try ping(1, topology), try ping(2, topology)])
        let consumer = try await broker.consume(queue: queue.name, prefetch: 2)
        let poison = try await consumer.next()!
        try await consumer.deadLetter(poison, reason: "payload does not decode: bad JSON at byte 3")
        let good = try message(try await consumer.next())
        #expect(try good.envelope.decode(Ping.self).n == 2, "the queue keeps moving past a poison message")
        try await consumer.ack(tag: good.tag)
        let dead = try await broker.consume(queue: queue.deadLetterQueue, prefetch: 1)
        let letter = try message(try await dead.next())
        #expect(letter.envelope.headers[InMemoryBroker.deadLetterReasonHeader] == "payload does not decode: bad JSON at byte 3")
        #expect(letter.envelope.headers[InMemoryBroker.originalQueueHeader] == queue.name)
        #expect(letter.envelope.id == "ping-1")
        try await dead.ack(tag: letter.tag)
        await consumer.cancel()
        await dead.cancel()
    }

    static func prefetchBoundsInFlightAndCancelReturnsThem(_ broker: any MessageBroker, prefix: String = uniquePrefix()) async throws {
        let topology = topology(prefix)
        let queue = topology.queues[0]
        try await broker.declare(topology)
        try await broker.publish((1...3).map { try ping($0, topology) })
        let first = try await broker.consume(queue: queue.name, prefetch: 2)
        _ = try message(try await first.next())
        _ = try message(try await first.next())
        #expect(try await broker.depth(of: queue.name) == 1, "prefetch 2 leaves the third message in the queue")
        await first.cancel()
        let second = try await broker.consume(queue: queue.name, prefetch: 10)
        var redelivered = 0
        for _ in 1...3 {
            let delivery = try message(try await second.next())
            if delivery.redelivered { redelivered += 1 }
            try await second.ack(tag: delivery.tag)
        }
        #expect(redelivered == 2, "the two unacknowledged deliveries come back marked redelivered")
        await second.cancel()
    }

    static func eventsRouteByTopic(_ broker: any MessageBroker, prefix: String = uniquePrefix()) async throws {
        let topology = topology(prefix)
        try await broker.declare(topology)
        let event = OutgoingMessage(exchange: topology.eventsExchange, routingKey: "run.r7.stage.sft.done",
                                    envelope: try Envelope(Ping(n: 9), id: "event-1", runID: "r7"))
        try await broker.publish([event])
        let consumer = try await broker.consume(queue: topology.queues[1].name, prefetch: 1)
        let delivery = try message(try await consumer.next())
        #expect(delivery.envelope.id == "event-1")
        try await consumer.ack(tag: delivery.tag)
        let stray = OutgoingMessage(exchange: topology.eventsExchange, routingKey: "metrics.cpu",
                                    envelope: try Envelope(Ping(n: 0), id: "event-2", runID: "r7"))
        await #expect(throws: BrokerError.self) { try await broker.publish([stray]) }
        await consumer.cancel()
    }

    static func answeringTwiceIsAnError(_ broker: any MessageBroker, prefix: String = uniquePrefix()) async throws {
        let topology = topology(prefix)
        try await broker.declare(topology)
        try await broker.publish([try ping(1, topology)])
        let consumer = try await broker.consume(queue: topology.queues[0].name, prefetch: 1)
        let delivery = try message(try await consumer.next())
        try await consumer.ack(tag: delivery.tag)
        await #expect(throws: (any Error).self) { try await consumer.ack(tag: delivery.tag) }
        await consumer.cancel()
    }

    /// Every check, in order, on one broker; each check's topology is named `<prefix>-<n>`. Returns the names of
    /// the topologies used, so a real broker's test can delete them afterwards.
    @discardableResult
    static func all(_ broker: any MessageBroker, prefix: String = uniquePrefix()) async throws -> [String] {
        let prefixes = (1...6).map { "\(prefix)-\($0)" }
        try await roundTrip(broker, prefix: prefixes[0])
        try await unroutableIsAnError(broker, prefix: prefixes[1])
        try await rejectedPastTheLimitIsDeadLettered(broker, prefix: prefixes[2])
        try await deadLetterCarriesTheReason(broker, prefix: prefixes[3])
        try await prefetchBoundsInFlightAndCancelReturnsThem(broker, prefix: prefixes[4])
        try await eventsRouteByTopic(broker, prefix: prefixes[5])
        return prefixes
    }
}
