import Foundation
import Synchronization

/// The fleet's broker on RabbitMQ: durable quorum queues declared with every argument explicit, persistent
/// messages published with confirms (a batch per round trip), manual acknowledgements, delivery limits and
/// dead-letter queues; reconnection with backoff after a broker restart, re-declaring the topology.
///
/// One connection publishes (shared by every publisher of the process); each consumer has its own connection and
/// thread, so a long handler never holds up heartbeats or other consumers.
public final class AMQPBroker: MessageBroker {
    /// How to connect.
    public let configuration: AMQPConfiguration
    /// How long publishing keeps retrying through a broker outage before it gives up.
    public let reconnectPatience: Duration
    private let publisher = Mutex<ConnectionThread?>(nil)
    private let declared = Mutex<[Topology]>([])

    /// A broker; nothing connects until it is used.
    public init(configuration: AMQPConfiguration, reconnectPatience: Duration = .seconds(120)) {
        self.configuration = configuration
        self.reconnectPatience = reconnectPatience
    }

    /// Closes the publishing connection (consumers close with `cancel()`).
    public func shutdown() {
        publisher.withLock { thread in
            thread?.stop()
            thread = nil
        }
    }

    public func declare(_ topology: Topology) async throws {
        try await withPublisher { connection in try Self.declare(topology, on: connection) }
        declared.withLock { if !$0.contains(topology) { $0.append(topology) } }
    }

    public func publish(_ messages: [OutgoingMessage]) async throws {
        guard !messages.isEmpty else { return }
        let report = try await withPublisher { connection in
            for message in messages {
                try connection.publish(AMQPEnvelopeCoding.message(message.envelope), exchange: message.exchange,
                                       routingKey: message.routingKey, mandatory: true)
            }
            return try connection.waitForConfirms(timeout: .seconds(60))
        }
        if let returned = report.returned.first {
            throw BrokerError.unroutable(exchange: returned.exchange, routingKey: returned.routingKey)
        }
        if !report.refused.isEmpty {
            throw BrokerError.refused(messageID: "\(report.refused.count) of \(messages.count) messages")
        }
    }

    /// Publishes raw bytes with string headers (dead-lettering bytes that are not a message), with a confirm.
    func publishRaw(_ body: [UInt8], headers: [String: String], exchange: String, routingKey: String) async throws {
        let message = AMQPMessage(properties: AMQPProperties(headers: headers.mapValues { .string($0) }), body: body)
        let report = try await withPublisher { connection in
            try connection.publish(message, exchange: exchange, routingKey: routingKey, mandatory: true)
            return try connection.waitForConfirms(timeout: .seconds(60))
        }
        guard report.allDelivered else { throw BrokerError.unroutable(exchange: exchange, routingKey: routingKey) }
    }

    public func consume(queue: String, prefetch: Int) async throws -> any MessageConsumer {
        precondition((1...Int(UInt16.max)).contains(prefetch), "prefetch must be 1...65535")
        let consumer = AMQPConsumer(broker: self, queue: queue, prefetch: UInt16(prefetch))
        try await consumer.start()
        return consumer
    }

    public func depth(of queue: String) async throws -> Int {
        try await withPublisher { connection in try connection.queueStatus(queue).messageCount }
    }

    public func purge(_ queue: String) async throws -> Int {
        try await withPublisher { connection in try connection.purgeQueue(queue) }
    }

    /// The dead-letter exchange and queue of a work queue, by the declared topology (or the naming convention).
    func deadLetterRoute(of queue: String) -> (exchange: String, queue: String) {
        let topology = declared.withLock { $0.last { $0.queue(named: queue) != nil } }
        let declaration = topology?.queue(named: queue)
        return (topology?.deadLetterExchange ?? "reasoner.dlx", declaration?.deadLetterQueue ?? queue + ".dlq")
    }

    /// The topologies declared so far (declared again on every new connection, so a restarted broker gets them).
    var knownTopologies: [Topology] { declared.withLock { $0 } }

    // MARK: Connections

    /// Runs `body` on the publishing connection, connecting (and re-declaring the topology) when needed, and
    /// retrying with backoff through connection losses until `reconnectPatience` runs out. `body` must be safe to
    /// run again (publishing twice is: ids dedupe downstream).
    private func withPublisher<T: Sendable>(_ body: @escaping @Sendable (AMQPConnection) throws -> T) async throws -> T {
        let deadline = ContinuousClock.now + reconnectPatience
        var attempt = 0
        while true {
            do {
                let thread = try await publisherThread()
                return try await thread.perform(body)
            } catch let error as AMQPError where error.isConnectionLoss || isTimeout(error) {
                dropPublisher()
                attempt += 1
                guard ContinuousClock.now < deadline else {
                    throw BrokerError.connection("gave up after \(attempt) attempts: \(error)")
                }
                try await Task.sleep(for: Self.backoff(attempt: attempt))
            } catch let error as AMQPError {
                throw Self.brokerError(error)
            }
        }
    }

    private func publisherThread() async throws -> ConnectionThread {
        if let thread = publisher.withLock({ $0 }) { return thread }
        let connection = try await Self.connect(configuration, name: "publisher")
        try connection.enablePublisherConfirms()
        for topology in knownTopologies { try Self.declare(topology, on: connection) }
        let thread = ConnectionThread(connection: connection, name: "reasoner.amqp.publisher",
                                      pump: { try $0.service() },
                                      onFailure: { [weak self] _ in self?.dropPublisher() })
        let winner = publisher.withLock { current -> ConnectionThread in
            if let current { return current }
            current = thread
            return thread
        }
        if winner !== thread { thread.stop() }
        return winner
    }

    private func dropPublisher() {
        publisher.withLock { thread in
            thread?.stop()
            thread = nil
        }
    }

    private func isTimeout(_ error: AMQPError) -> Bool {
        if case .timeout = error { return true }
        return false
    }

    /// Opens a connection off the cooperative threads (connecting blocks).
    static func connect(_ configuration: AMQPConfiguration, name: String) async throws -> AMQPConnection {
        var configuration = configuration
        configuration.connectionName = "\(configuration.connectionName) \(name)"
        let settings = configuration
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<ConnectionBox, any Error>) in
            Thread.detachNewThread {
                do {
                    continuation.resume(returning: ConnectionBox(try AMQPConnection(configuration: settings)))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }.connection
    }

    /// Declares exchanges, dead-letter queues, work queues and bindings.
    static func declare(_ topology: Topology, on connection: AMQPConnection) throws {
        try connection.declareExchange(ExchangeSpec(name: topology.workExchange, kind: .direct))
        try connection.declareExchange(ExchangeSpec(name: topology.eventsExchange, kind: .topic))
        try connection.declareExchange(ExchangeSpec(name: topology.deadLetterExchange, kind: .direct))
        for queue in topology.queues {
            // Dead letters stay until an operator retries or drops them: no limit loop, no further dead-lettering.
            try connection.declareQueue(.quorum(queue.deadLetterQueue, deliveryLimit: 1_000, deadLetterExchange: nil,
                                                deadLetterRoutingKey: nil))
            try connection.bindQueue(queue.deadLetterQueue, exchange: topology.deadLetterExchange,
                                     routingKey: queue.deadLetterQueue)
            do {
                try connection.declareQueue(.quorum(queue.name, deliveryLimit: queue.deliveryLimit,
                                                    deadLetterExchange: topology.deadLetterExchange,
                                                    deadLetterRoutingKey: queue.deadLetterQueue))
            } catch {
                if error.replyCode == 406 { throw BrokerError.queueRedeclaredDifferently(queue: queue.name) }
                throw error
            }
            if let pattern = queue.eventsPattern {
                try connection.bindQueue(queue.name, exchange: topology.eventsExchange, routingKey: pattern)
            } else {
                try connection.bindQueue(queue.name, exchange: topology.workExchange, routingKey: queue.routingKey)
            }
        }
    }

    static func backoff(attempt: Int) -> Duration {
        min(.milliseconds(100) * (1 << min(attempt - 1, 10)), .seconds(5))
    }

    static func brokerError(_ error: AMQPError) -> BrokerError {
        switch error {
        case .channelClosed(404, let text): return .connection("RabbitMQ: \(text); declare the topology first")
        case .channelClosed(406, let text): return .connection("RabbitMQ: \(text)")
        default: return .connection(error.description)
        }
    }
}

/// Carries a freshly opened connection from the thread that opened it to the one that will own it.
/// `@unchecked Sendable`: handed over once, never used by two threads at a time.
struct ConnectionBox: @unchecked Sendable {
    let connection: AMQPConnection
    init(_ connection: AMQPConnection) { self.connection = connection }
}
