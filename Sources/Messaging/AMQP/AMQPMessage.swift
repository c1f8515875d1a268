/// The properties of a message that Reasoner sets or reads.
public struct AMQPProperties: Sendable, Equatable {
    /// MIME type of the body, e.g. `application/json`.
    public var contentType: String?
    /// The message id (stable across redeliveries: the idempotency key).
    public var messageID: String?
    /// The message type name.
    public var type: String?
    /// Correlation id.
    public var correlationID: String?
    /// Seconds since 1970.
    public var timestamp: UInt64?
    /// Persistent (delivery mode 2) or transient.
    public var persistent: Bool
    /// Headers.
    public var headers: [String: AMQPFieldValue]

    /// Makes properties (persistent by default: work must survive a broker restart).
    public init(contentType: String? = nil, messageID: String? = nil, type: String? = nil,
                correlationID: String? = nil, timestamp: UInt64? = nil, persistent: Bool = true,
                headers: [String: AMQPFieldValue] = [:]) {
        self.contentType = contentType
        self.messageID = messageID
        self.type = type
        self.correlationID = correlationID
        self.timestamp = timestamp
        self.persistent = persistent
        self.headers = headers
    }
}

/// A message: properties and a body of bytes.
public struct AMQPMessage: Sendable, Equatable {
    /// The properties.
    public var properties: AMQPProperties
    /// The body, byte for byte.
    public var body: [UInt8]

    /// Makes a message.
    public init(properties: AMQPProperties = AMQPProperties(), body: [UInt8]) {
        self.properties = properties
        self.body = body
    }
}

/// A message delivered to a consumer.
public struct AMQPDelivery: Sendable, Equatable {
    /// The message.
    public var message: AMQPMessage
    /// The tag to ack, reject or nack it with (unique per channel).
    public var deliveryTag: UInt64
    /// Whether it was delivered before.
    public var redelivered: Bool
    /// The exchange it was published to.
    public var exchange: String
    /// Its routing key.
    public var routingKey: String
    /// The consumer it was delivered to.
    public var consumerTag: String

    /// How many times a quorum queue delivered it before (`x-delivery-count`), when present.
    public var deliveryCount: Int? {
        message.properties.headers["x-delivery-count"]?.integerValue.map(Int.init)
    }
}

/// A message the broker handed back because no queue could take it (`basic.return` of a mandatory publish).
public struct AMQPReturnedMessage: Sendable, Equatable {
    /// The reply code (312 NO_ROUTE).
    public var replyCode: Int
    /// The reply text.
    public var replyText: String
    /// The exchange.
    public var exchange: String
    /// The routing key.
    public var routingKey: String
    /// The message.
    public var message: AMQPMessage
}

/// What the broker said about the messages published since the last wait.
public struct AMQPConfirmReport: Sendable, Equatable {
    /// Delivery tags the broker acknowledged (stored, and routed or returned).
    public var acknowledged: [UInt64] = []
    /// Delivery tags the broker refused (nack).
    public var refused: [UInt64] = []
    /// Messages returned as unroutable.
    public var returned: [AMQPReturnedMessage] = []

    /// Whether every message was acknowledged and none returned.
    public var allDelivered: Bool { refused.isEmpty && returned.isEmpty }
}
