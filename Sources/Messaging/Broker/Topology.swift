/// The queues and exchanges of the fleet, declared idempotently by every process that uses them.
///
/// Work goes through one direct exchange, routed by role; events go through one topic exchange. Every work queue is
/// a durable quorum queue with an explicit delivery limit, dead-lettering to the role's own dead-letter queue through
/// one dead-letter exchange, so a poison message ends in `<queue>.dlq` with its reason and the queue keeps moving.
public struct Topology: Sendable, Equatable {
    /// The direct exchange that work messages are published to (routing key = the queue's routing key).
    public var workExchange: String
    /// The topic exchange that events are published to (routing key e.g. `run.<id>.stage.done`).
    public var eventsExchange: String
    /// The direct exchange dead-lettered messages go through.
    public var deadLetterExchange: String
    /// The work queues.
    public var queues: [QueueDeclaration]

    /// Makes a topology from its parts.
    public init(workExchange: String, eventsExchange: String, deadLetterExchange: String, queues: [QueueDeclaration]) {
        self.workExchange = workExchange
        self.eventsExchange = eventsExchange
        self.deadLetterExchange = deadLetterExchange
        self.queues = queues
    }

    /// The queue declared under a name, if any.
    public func queue(named name: String) -> QueueDeclaration? { queues.first { $0.name == name } }
}

/// One durable quorum work queue and how it is bound and dead-lettered.
public struct QueueDeclaration: Sendable, Equatable {
    /// The queue's name.
    public var name: String
    /// The routing key that binds it to the work exchange.
    public var routingKey: String
    /// How many times a message may be delivered before it is dead-lettered (`x-delivery-limit`).
    public var deliveryLimit: Int
    /// Where its dead letters go.
    public var deadLetterQueue: String
    /// Events queues are bound to the events exchange with a topic pattern instead of the work exchange.
    public var eventsPattern: String?

    /// A work queue bound by `routingKey` (the queue's name by default), dead-lettering to `<name>.dlq`.
    public init(name: String, routingKey: String? = nil, deliveryLimit: Int, eventsPattern: String? = nil) {
        precondition(deliveryLimit >= 1, "a delivery limit below 1 would dead-letter every message")
        self.name = name
        self.routingKey = routingKey ?? name
        self.deliveryLimit = deliveryLimit
        self.deadLetterQueue = name + ".dlq"
        self.eventsPattern = eventsPattern
    }
}
