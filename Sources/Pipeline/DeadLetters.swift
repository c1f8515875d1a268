import Foundation
import Messaging

/// The operator's view of a dead-letter queue: list the letters with their reasons, send them back to the queue they
/// came from (after the cause is fixed), or drop them.
public struct DeadLetters: Sendable {
    /// One dead letter.
    public struct Letter: Sendable {
        /// The message id (nil for bytes that were not a message).
        public var id: String?
        /// The message type.
        public var type: String?
        /// The run it belonged to.
        public var runID: String?
        /// Why it was dead-lettered.
        public var reason: String
    }

    /// The broker.
    public let broker: any MessageBroker

    /// A view over `broker`.
    public init(broker: any MessageBroker) {
        self.broker = broker
    }

    /// Up to `limit` letters of the role queue `queue`'s dead-letter queue (they stay where they are).
    public func list(_ queue: String, limit: Int = 100) async throws -> [Letter] {
        let deadLetterQueue = queue + ".dlq"
        let waiting = try await broker.depth(of: deadLetterQueue)
        guard waiting > 0 else { return [] }
        let consumer = try await broker.consume(queue: deadLetterQueue, prefetch: min(limit, waiting))
        var letters: [Letter] = []
        while letters.count < min(limit, waiting), let received = try await consumer.next() {
            letters.append(Self.letter(received))
        }
        await consumer.cancel()  // unacknowledged: every letter goes back to the dead-letter queue
        return letters
    }

    /// Sends every letter of `queue`'s dead-letter queue back to `queue` (through the work exchange); returns how
    /// many. Letters that are not Reasoner messages stay.
    public func retry(_ queue: String, topology: Topology = FleetTopology.standard) async throws -> Int {
        let deadLetterQueue = queue + ".dlq"
        let count = try await broker.depth(of: deadLetterQueue)
        guard count > 0, let declaration = topology.queue(named: queue) else { return 0 }
        let consumer = try await broker.consume(queue: deadLetterQueue, prefetch: 1)
        var retried = 0
        for _ in 0..<count {
            guard let received = try await consumer.next() else { break }
            guard case .message(let delivery) = received else {
                try await consumer.reject(tag: received.tag, requeue: true)
                continue
            }
            var envelope = delivery.envelope
            envelope.headers[InMemoryBroker.deadLetterReasonHeader] = nil
            envelope.headers[InMemoryBroker.originalQueueHeader] = nil
            try await broker.publish([OutgoingMessage(exchange: topology.workExchange,
                                                      routingKey: declaration.routingKey, envelope: envelope)])
            try await consumer.ack(tag: delivery.tag)
            retried += 1
        }
        await consumer.cancel()
        return retried
    }

    /// Deletes every letter of `queue`'s dead-letter queue; returns how many.
    public func drop(_ queue: String) async throws -> Int {
        try await broker.purge(queue + ".dlq")
    }

    private static func letter(_ received: Received) -> Letter {
        switch received {
        case .message(let delivery):
            return Letter(id: delivery.envelope.id, type: delivery.envelope.type, runID: delivery.envelope.runID,
                          reason: delivery.envelope.headers[InMemoryBroker.deadLetterReasonHeader] ?? "(no reason given)")
        case .undecodable(let raw):
            return Letter(id: nil, type: nil, runID: nil, reason: raw.reason)
        }
    }
}
