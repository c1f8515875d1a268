/// A message bound for an exchange.
public struct OutgoingMessage: Sendable, Equatable {
    /// The exchange to publish to.
    public var exchange: String
    /// The routing key.
    public var routingKey: String
    /// The message.
    public var envelope: Envelope

    /// Makes an outgoing message.
    public init(exchange: String, routingKey: String, envelope: Envelope) {
        self.exchange = exchange
        self.routingKey = routingKey
        self.envelope = envelope
    }
}

/// A message handed to a consumer, to be acknowledged, rejected or dead-lettered exactly once.
public struct Delivery: Sendable {
    /// The message.
    public var envelope: Envelope
    /// The queue it came from.
    public var queue: String
    /// Whether the broker delivered it before (to this or another consumer).
    public var redelivered: Bool
    /// How many times it was delivered before this delivery, when the broker tells (quorum queues do).
    public var previousDeliveries: Int
    /// The broker's tag for this delivery, unique within the consumer.
    public var tag: UInt64

    /// Makes a delivery.
    public init(envelope: Envelope, queue: String, redelivered: Bool, previousDeliveries: Int, tag: UInt64) {
        self.envelope = envelope
        self.queue = queue
        self.redelivered = redelivered
        self.previousDeliveries = previousDeliveries
        self.tag = tag
    }
}

/// A delivery whose bytes are not an envelope (missing properties, unreadable headers): it is still owed an answer.
public struct UndecodableDelivery: Sendable {
    /// The queue it came from.
    public var queue: String
    /// Why it could not be read.
    public var reason: String
    /// The raw body.
    public var body: [UInt8]
    /// The broker's tag.
    public var tag: UInt64

    /// Makes an undecodable delivery.
    public init(queue: String, reason: String, body: [UInt8], tag: UInt64) {
        self.queue = queue
        self.reason = reason
        self.body = body
        self.tag = tag
    }
}

/// What a consumer receives.
public enum Received: Sendable {
    /// A readable message.
    case message(Delivery)
    /// Bytes that are not a message: dead-letter them with the reason.
    case undecodable(UndecodableDelivery)
}

/// The fleet's transport: durable queues with publisher confirms, manual acknowledgements, delivery limits and
/// dead-letter queues. Two implementations share one conformance suite: AMQP (RabbitMQ) and in-process.
public protocol MessageBroker: Sendable {
    /// Declares exchanges, queues, dead-letter queues and bindings; declaring the same topology again changes nothing.
    func declare(_ topology: Topology) async throws
    /// Publishes persistent messages and returns once the broker has confirmed every one of them (routed and stored).
    /// Throws if any was refused or unroutable; then none of them should be assumed delivered.
    func publish(_ messages: [OutgoingMessage]) async throws
    /// Starts consuming a queue with at most `prefetch` unacknowledged deliveries in flight.
    func consume(queue: String, prefetch: Int) async throws -> any MessageConsumer
    /// How many messages wait in a queue (ready, not in flight).
    func depth(of queue: String) async throws -> Int
    /// Removes every ready message of a queue (for tests and `reasoner dlq drop`); returns how many.
    func purge(_ queue: String) async throws -> Int
}

/// One consumer of one queue. Every delivery it hands out is answered exactly once: `ack`, `reject` or `deadLetter`.
public protocol MessageConsumer: Sendable {
    /// The next delivery; waits until one arrives. Returns nil once the consumer is cancelled.
    func next() async throws -> Received?
    /// The message's effects are durable: forget it.
    func ack(tag: UInt64) async throws
    /// Hand the message back for another try (it counts towards the queue's delivery limit), or drop it to the
    /// dead-letter queue at once when `requeue` is false.
    func reject(tag: UInt64, requeue: Bool) async throws
    /// Moves the message to the queue's dead-letter queue with a reason header, then acknowledges it.
    func deadLetter(_ received: Received, reason: String) async throws
    /// Stops delivering; deliveries not yet acknowledged go back to the queue.
    func cancel() async
}

extension Received {
    /// The broker's tag of the delivery.
    public var tag: UInt64 {
        switch self {
        case .message(let delivery): return delivery.tag
        case .undecodable(let delivery): return delivery.tag
        }
    }

    /// The queue the delivery came from.
    public var queue: String {
        switch self {
        case .message(let delivery): return delivery.queue
        case .undecodable(let delivery): return delivery.queue
        }
    }
}
