/// An exchange declaration, every argument explicit.
public struct ExchangeSpec: Sendable, Equatable {
    /// The exchange kind.
    public enum Kind: String, Sendable {
        /// Routes by exact routing key.
        case direct
        /// Routes by pattern (`*`, `#`).
        case topic
        /// Routes to every bound queue.
        case fanout
    }

    /// Its name.
    public var name: String
    /// Its kind.
    public var kind: Kind
    /// Survives a broker restart.
    public var durable: Bool
    /// Deleted when the last queue is unbound.
    public var autoDelete: Bool

    /// A durable, non-auto-deleted exchange.
    public init(name: String, kind: Kind, durable: Bool = true, autoDelete: Bool = false) {
        self.name = name
        self.kind = kind
        self.durable = durable
        self.autoDelete = autoDelete
    }
}

/// A queue declaration, every argument explicit (a queue re-declared with other arguments is refused with 406).
public struct QueueSpec: Sendable, Equatable {
    /// Its name.
    public var name: String
    /// Survives a broker restart (quorum queues must be durable).
    public var durable: Bool
    /// Only this connection may use it, and it goes away with it.
    public var exclusive: Bool
    /// Deleted when its last consumer leaves.
    public var autoDelete: Bool
    /// The `x-` arguments.
    public var arguments: [String: AMQPFieldValue]

    /// Makes a declaration.
    public init(name: String, durable: Bool, exclusive: Bool, autoDelete: Bool, arguments: [String: AMQPFieldValue]) {
        self.name = name
        self.durable = durable
        self.exclusive = exclusive
        self.autoDelete = autoDelete
        self.arguments = arguments
    }

    /// A durable quorum queue: `x-queue-type=quorum`, `x-delivery-limit`, and dead-lettering through
    /// `deadLetterExchange` with `deadLetterRoutingKey` (when given).
    public static func quorum(_ name: String, deliveryLimit: Int, deadLetterExchange: String?,
                              deadLetterRoutingKey: String?) -> QueueSpec {
        var arguments: [String: AMQPFieldValue] = [
            "x-queue-type": .string("quorum"),
            "x-delivery-limit": .integer(Int64(deliveryLimit)),
        ]
        if let deadLetterExchange { arguments["x-dead-letter-exchange"] = .string(deadLetterExchange) }
        if let deadLetterRoutingKey { arguments["x-dead-letter-routing-key"] = .string(deadLetterRoutingKey) }
        return QueueSpec(name: name, durable: true, exclusive: false, autoDelete: false, arguments: arguments)
    }
}

/// Counts a queue declaration reports.
public struct QueueStatus: Sendable, Equatable {
    /// The queue's name (the server's choice for a server-named queue).
    public var name: String
    /// Messages ready for delivery (not counting those delivered and not yet acknowledged).
    public var messageCount: Int
    /// Consumers attached.
    public var consumerCount: Int
}
