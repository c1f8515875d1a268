/// How an ``Envelope`` travels as an AMQP message: the type name in `type`, the id in `message-id`, the schema
/// version and run id in headers, extra envelope headers as string headers, the JSON payload as the body.
enum AMQPEnvelopeCoding {
    static let versionHeader = "x-reasoner-version"
    static let runHeader = "x-reasoner-run"
    /// Headers RabbitMQ itself sets; they are read, never copied into an envelope's own headers.
    private static let brokerHeaders: Set<String> = [
        "x-death", "x-delivery-count", "x-first-death-exchange", "x-first-death-queue", "x-first-death-reason",
        "x-last-death-exchange", "x-last-death-queue", "x-last-death-reason",
    ]

    static func message(_ envelope: Envelope) -> AMQPMessage {
        var headers: [String: AMQPFieldValue] = [versionHeader: .integer(Int64(envelope.version)),
                                                 runHeader: .string(envelope.runID)]
        for (key, value) in envelope.headers { headers[key] = .string(value) }
        return AMQPMessage(properties: AMQPProperties(contentType: "application/json", messageID: envelope.id,
                                                     type: envelope.type, persistent: true, headers: headers),
                           body: Array(envelope.payload))
    }

    static func received(_ delivery: AMQPDelivery, queue: String, tag: UInt64) -> Received {
        let properties = delivery.message.properties
        guard let type = properties.type, let id = properties.messageID,
              let version = properties.headers[versionHeader]?.integerValue,
              let runID = properties.headers[runHeader]?.stringValue else {
            return .undecodable(UndecodableDelivery(
                queue: queue,
                reason: "not a Reasoner message: it needs the type and message-id properties and the "
                    + "\(versionHeader) and \(runHeader) headers",
                body: delivery.message.body, tag: tag))
        }
        var headers: [String: String] = [:]
        for (key, value) in properties.headers where key != versionHeader && key != runHeader
            && !brokerHeaders.contains(key) {
            if let text = value.stringValue { headers[key] = text }
        }
        if headers[InMemoryBroker.deadLetterReasonHeader] == nil, let reason = deathReason(properties.headers) {
            headers[InMemoryBroker.deadLetterReasonHeader] = reason
        }
        let envelope = Envelope(type: type, version: Int(version), id: id, runID: runID,
                                payload: .init(delivery.message.body), headers: headers)
        let previous = delivery.deliveryCount ?? (delivery.redelivered ? 1 : 0)
        return .message(Delivery(envelope: envelope, queue: queue, redelivered: delivery.redelivered || previous > 0,
                                 previousDeliveries: previous, tag: tag))
    }

    /// RabbitMQ's own reason for a dead letter (`x-death`), in words.
    private static func deathReason(_ headers: [String: AMQPFieldValue]) -> String? {
        guard case .array(let records)? = headers["x-death"], case .table(let first)? = records.first,
              let reason = first["reason"]?.stringValue else { return nil }
        let queue = first["queue"]?.stringValue ?? "its queue"
        switch reason {
        case "delivery_limit": return "delivery limit exceeded in \(queue) (x-death: delivery_limit)"
        case "rejected": return "rejected without requeue in \(queue) (x-death: rejected)"
        default: return "dead-lettered from \(queue) (x-death: \(reason))"
        }
    }
}
