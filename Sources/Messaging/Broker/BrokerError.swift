/// Why a broker operation failed (transport-independent; the AMQP implementation maps server replies onto these).
public enum BrokerError: Error, Equatable, CustomStringConvertible {
    /// Publishing before the topology was declared.
    case notDeclared
    /// No queue is bound for the message's exchange and routing key: it would be lost.
    case unroutable(exchange: String, routingKey: String)
    /// The broker refused (nacked) a published message.
    case refused(messageID: String)
    /// The queue does not exist.
    case unknownQueue(String)
    /// A queue exists with other arguments than the ones declared now.
    case queueRedeclaredDifferently(queue: String)
    /// The delivery tag is not one this consumer holds (already answered, or from another consumer).
    case unknownDelivery(tag: UInt64)
    /// `next()` was called again while an earlier call still waits.
    case concurrentNext
    /// The broker is unreachable or the connection broke; the message says what to check.
    case connection(String)

    public var description: String {
        switch self {
        case .notDeclared: return "declare the topology before publishing"
        case .unroutable(let exchange, let key):
            return "no queue is bound to exchange '\(exchange)' with routing key '\(key)'; declare the topology (or start the worker that declares it) first"
        case .refused(let id): return "the broker refused message \(id) (nack); check the broker's log and disk/memory alarms"
        case .unknownQueue(let queue): return "queue '\(queue)' does not exist; declare the topology first"
        case .queueRedeclaredDifferently(let queue):
            return "queue '\(queue)' exists with other arguments; delete it (after draining) or use the arguments it has"
        case .unknownDelivery(let tag): return "delivery \(tag) is not held by this consumer (answered twice?)"
        case .concurrentNext: return "a consumer hands out one delivery at a time: await next() before calling it again"
        case .connection(let message): return message
        }
    }
}
