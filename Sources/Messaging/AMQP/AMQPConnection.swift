import CAMQP
import Foundation

/// One connection to RabbitMQ with one channel, over rabbitmq-c 0.11. All of Reasoner's librabbitmq calls live in
/// this folder.
///
/// **Single-threaded:** a rabbitmq-c connection must never be used from two threads at once, so this class is
/// deliberately not `Sendable`. Keep it on one thread (the broker layer gives each connection its own thread).
/// rabbitmq-c sends and checks heartbeats only while it is called: call ``nextDelivery(timeout:)``,
/// ``waitForConfirms(timeout:)`` or ``service()`` at least every half heartbeat interval.
///
/// Publisher confirms are waited for frame by frame (Debian's 0.11 has no `amqp_publisher_confirm_wait`):
/// `basic.ack`/`basic.nack` (with `multiple`), `basic.return` for unroutable mandatory messages, channel and
/// connection closes. Frames of another kind that arrive meanwhile are not lost: deliveries are buffered for
/// ``nextDelivery(timeout:)``, confirms for the next wait.
public final class AMQPConnection {
    /// The settings it connected with.
    public let configuration: AMQPConfiguration
    private var state: amqp_connection_state_t?
    private let channel: amqp_channel_t = 1
    private var channelOpen = false
    private var confirmsEnabled = false
    private var prefetch: UInt16?
    private var publishedCount: UInt64 = 0
    private var outstanding: Set<UInt64> = []
    private var report = AMQPConfirmReport()
    private var bufferedDeliveries: [AMQPDelivery] = []
    /// Whether the broker told us it blocks publishers (memory or disk alarm): publishing would stall.
    public private(set) var isBlocked = false
    /// Consumers the broker cancelled (the queue was deleted): their tags.
    public private(set) var cancelledConsumers: [String] = []

    /// Connects, logs in (PLAIN) with client properties announcing the capabilities Reasoner relies on, and opens
    /// the channel.
    public init(configuration: AMQPConfiguration) throws(AMQPError) {
        self.configuration = configuration
        guard let state = amqp_new_connection() else {
            throw .connectionFailed(host: configuration.host, port: configuration.port, reason: "out of memory")
        }
        self.state = state
        guard let socket = amqp_tcp_socket_new(state) else {
            amqp_destroy_connection(state)
            self.state = nil
            throw .connectionFailed(host: configuration.host, port: configuration.port, reason: "no socket")
        }
        var timeout = Self.timeval(configuration.connectTimeout)
        let opened = amqp_socket_open_noblock(socket, configuration.host, Int32(configuration.port), &timeout)
        guard opened == AMQP_STATUS_OK.rawValue else {
            amqp_destroy_connection(state)
            self.state = nil
            throw .connectionFailed(host: configuration.host, port: configuration.port, reason: Self.message(opened))
        }
        let builder = AMQPTableBuilder()
        var properties = builder.table([
            "product": .string("reasoner"),
            "connection_name": .string(configuration.connectionName),
            "capabilities": .table([
                "publisher_confirms": .boolean(true),
                "consumer_cancel_notify": .boolean(true),
                "connection.blocked": .boolean(true),
                "basic.nack": .boolean(true),
                "authentication_failure_close": .boolean(true),
            ]),
        ])
        let reply = reasoner_amqp_login_plain(state, configuration.virtualHost, 0, 131_072,
                                              Int32(configuration.heartbeatSeconds), &properties,
                                              configuration.user, configuration.password)
        do {
            try check(reply, "login")
        } catch {
            if let live = self.state { amqp_destroy_connection(live) }  // a server close already destroyed it
            self.state = nil
            switch error {
            case .connectionClosed(let code, let text) where code == 403 || code == 530:
                throw .authenticationFailed(user: configuration.user, reason: text)
            case .library(_, let message):
                throw .connectionFailed(host: configuration.host, port: configuration.port, reason: message)
            default:
                throw error
            }
        }
        try openChannel()
    }

    deinit {
        if let state { amqp_destroy_connection(state) }
    }

    /// Closes the channel and the connection politely (what is unacknowledged goes back to its queues).
    public func close() {
        guard let state else { return }
        if channelOpen { _ = amqp_channel_close(state, channel, AMQP_REPLY_SUCCESS) }
        _ = amqp_connection_close(state, AMQP_REPLY_SUCCESS)
        amqp_destroy_connection(state)
        self.state = nil
    }

    /// The socket's file descriptor (to wait for readability together with other events).
    public var fileDescriptor: Int32 {
        guard let state else { return -1 }
        return amqp_get_sockfd(state)
    }

    /// Whether frames are already read and waiting in rabbitmq-c's buffers (then waiting on the socket would stall).
    public var hasBufferedInput: Bool {
        guard let state else { return false }
        return !bufferedDeliveries.isEmpty || amqp_data_in_buffer(state) != 0 || amqp_frames_enqueued(state) != 0
    }

    // MARK: Topology

    /// Declares an exchange (idempotent for the same arguments).
    public func declareExchange(_ spec: ExchangeSpec) throws(AMQPError) {
        let state = try live()
        let builder = AMQPTableBuilder()
        amqp_exchange_declare(state, channel, builder.bytes(spec.name), builder.bytes(spec.kind.rawValue), 0,
                              spec.durable ? 1 : 0, spec.autoDelete ? 1 : 0, 0, amqp_empty_table)
        try check(amqp_get_rpc_reply(state), "exchange.declare \(spec.name)")
    }

    /// Declares a queue with every argument explicit; 406 PRECONDITION_FAILED if it exists with others.
    @discardableResult
    public func declareQueue(_ spec: QueueSpec) throws(AMQPError) -> QueueStatus {
        let state = try live()
        let builder = AMQPTableBuilder()
        let ok = amqp_queue_declare(state, channel, builder.bytes(spec.name), 0, spec.durable ? 1 : 0,
                                    spec.exclusive ? 1 : 0, spec.autoDelete ? 1 : 0, builder.table(spec.arguments))
        try check(amqp_get_rpc_reply(state), "queue.declare \(spec.name)")
        guard let ok else { throw .unexpectedFrame("queue.declare-ok without a body") }
        return QueueStatus(name: AMQPTableReader.string(ok.pointee.queue), messageCount: Int(ok.pointee.message_count),
                           consumerCount: Int(ok.pointee.consumer_count))
    }

    /// The queue's counts without changing it (passive declare); 404 NOT_FOUND if it does not exist.
    public func queueStatus(_ name: String) throws(AMQPError) -> QueueStatus {
        let state = try live()
        let builder = AMQPTableBuilder()
        let ok = amqp_queue_declare(state, channel, builder.bytes(name), 1, 0, 0, 0, amqp_empty_table)
        try check(amqp_get_rpc_reply(state), "queue.declare (passive) \(name)")
        guard let ok else { throw .unexpectedFrame("queue.declare-ok without a body") }
        return QueueStatus(name: name, messageCount: Int(ok.pointee.message_count),
                           consumerCount: Int(ok.pointee.consumer_count))
    }

    /// Binds a queue to an exchange with a routing key (or topic pattern).
    public func bindQueue(_ queue: String, exchange: String, routingKey: String) throws(AMQPError) {
        let state = try live()
        let builder = AMQPTableBuilder()
        amqp_queue_bind(state, channel, builder.bytes(queue), builder.bytes(exchange), builder.bytes(routingKey),
                        amqp_empty_table)
        try check(amqp_get_rpc_reply(state), "queue.bind \(queue) to \(exchange)")
    }

    /// Removes a queue's ready messages; returns how many.
    @discardableResult
    public func purgeQueue(_ name: String) throws(AMQPError) -> Int {
        let state = try live()
        let builder = AMQPTableBuilder()
        let ok = amqp_queue_purge(state, channel, builder.bytes(name))
        try check(amqp_get_rpc_reply(state), "queue.purge \(name)")
        return Int(ok?.pointee.message_count ?? 0)
    }

    /// Deletes a queue (and its messages).
    public func deleteQueue(_ name: String) throws(AMQPError) {
        let state = try live()
        let builder = AMQPTableBuilder()
        amqp_queue_delete(state, channel, builder.bytes(name), 0, 0)
        try check(amqp_get_rpc_reply(state), "queue.delete \(name)")
    }

    /// Deletes an exchange.
    public func deleteExchange(_ name: String) throws(AMQPError) {
        let state = try live()
        let builder = AMQPTableBuilder()
        amqp_exchange_delete(state, channel, builder.bytes(name), 0)
        try check(amqp_get_rpc_reply(state), "exchange.delete \(name)")
    }

    // MARK: Publishing

    /// Puts the channel in confirm mode: from now on every publish is acknowledged or refused by the broker.
    public func enablePublisherConfirms() throws(AMQPError) {
        let state = try live()
        amqp_confirm_select(state, channel)
        try check(amqp_get_rpc_reply(state), "confirm.select")
        confirmsEnabled = true
        publishedCount = 0
    }

    /// Publishes a message. With confirms enabled, returns its delivery tag (1, 2, ... per channel); wait for the
    /// broker's verdict with ``waitForConfirms(timeout:)``. `mandatory` makes an unroutable message come back.
    @discardableResult
    public func publish(_ message: AMQPMessage, exchange: String, routingKey: String,
                        mandatory: Bool = true) throws(AMQPError) -> UInt64 {
        let state = try live()
        let builder = AMQPTableBuilder()
        var properties = amqp_basic_properties_t()
        var flags = UInt32(AMQP_BASIC_DELIVERY_MODE_FLAG)
        properties.delivery_mode = message.properties.persistent ? 2 : 1
        if let value = message.properties.contentType {
            flags |= UInt32(AMQP_BASIC_CONTENT_TYPE_FLAG)
            properties.content_type = builder.bytes(value)
        }
        if let value = message.properties.messageID {
            flags |= UInt32(AMQP_BASIC_MESSAGE_ID_FLAG)
            properties.message_id = builder.bytes(value)
        }
        if let value = message.properties.type {
            flags |= UInt32(AMQP_BASIC_TYPE_FLAG)
            properties.type = builder.bytes(value)
        }
        if let value = message.properties.correlationID {
            flags |= UInt32(AMQP_BASIC_CORRELATION_ID_FLAG)
            properties.correlation_id = builder.bytes(value)
        }
        if let value = message.properties.timestamp {
            flags |= UInt32(AMQP_BASIC_TIMESTAMP_FLAG)
            properties.timestamp = value
        }
        if !message.properties.headers.isEmpty {
            flags |= UInt32(AMQP_BASIC_HEADERS_FLAG)
            properties.headers = builder.table(message.properties.headers)
        }
        properties._flags = flags
        let status = message.body.withUnsafeBytes { raw in
            amqp_basic_publish(state, channel, builder.bytes(exchange), builder.bytes(routingKey), mandatory ? 1 : 0,
                               0, &properties, amqp_bytes_t(len: raw.count, bytes: UnsafeMutableRawPointer(mutating: raw.baseAddress)))
        }
        guard status == AMQP_STATUS_OK.rawValue else { throw .library(code: status, message: Self.message(status)) }
        guard confirmsEnabled else { return 0 }
        publishedCount += 1
        outstanding.insert(publishedCount)
        return publishedCount
    }

    /// The number of published messages the broker has not confirmed yet.
    public var unconfirmedCount: Int { outstanding.count }

    /// Waits until the broker has acknowledged or refused every message published so far, and reports what it said
    /// (including messages returned as unroutable). Throws ``AMQPError/timeout(_:)`` if that takes longer than
    /// `timeout` (the messages stay outstanding: wait again or treat them as unconfirmed).
    public func waitForConfirms(timeout: Duration) throws(AMQPError) -> AMQPConfirmReport {
        let deadline = ContinuousClock.now + timeout
        while !outstanding.isEmpty {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { throw .timeout("publisher confirms (\(outstanding.count) outstanding)") }
            try readOneFrame(timeout: remaining)
        }
        let result = report
        report = AMQPConfirmReport()
        return result
    }

    // MARK: Consuming

    /// Limits unacknowledged deliveries on this channel (`basic.qos`).
    public func setPrefetch(_ count: UInt16) throws(AMQPError) {
        let state = try live()
        amqp_basic_qos(state, channel, 0, count, 0)
        try check(amqp_get_rpc_reply(state), "basic.qos")
        prefetch = count
    }

    /// Starts consuming a queue with manual acknowledgements; returns the consumer tag.
    @discardableResult
    public func consume(queue: String, consumerTag: String = "") throws(AMQPError) -> String {
        let state = try live()
        let builder = AMQPTableBuilder()
        let ok = amqp_basic_consume(state, channel, builder.bytes(queue), builder.bytes(consumerTag), 0, 0, 0,
                                    amqp_empty_table)
        try check(amqp_get_rpc_reply(state), "basic.consume \(queue)")
        guard let ok else { throw .unexpectedFrame("basic.consume-ok without a body") }
        return AMQPTableReader.string(ok.pointee.consumer_tag)
    }

    /// Stops a consumer; its unacknowledged deliveries stay with this channel until acknowledged or the channel
    /// closes.
    public func cancel(consumerTag: String) throws(AMQPError) {
        let state = try live()
        let builder = AMQPTableBuilder()
        amqp_basic_cancel(state, channel, builder.bytes(consumerTag))
        try check(amqp_get_rpc_reply(state), "basic.cancel")
    }

    /// The next delivery, waiting at most `timeout`; nil if none came (an out-of-band frame — a confirm, a
    /// heartbeat, connection.blocked — may also end the wait early: call again).
    public func nextDelivery(timeout: Duration) throws(AMQPError) -> AMQPDelivery? {
        if !bufferedDeliveries.isEmpty { return bufferedDeliveries.removeFirst() }
        let state = try live()
        amqp_maybe_release_buffers(state)
        var envelope = amqp_envelope_t()
        var wait = Self.timeval(timeout)
        let reply = amqp_consume_message(state, &envelope, &wait, 0)
        switch reply.reply_type {
        case AMQP_RESPONSE_NORMAL:
            defer { amqp_destroy_envelope(&envelope) }
            return AMQPDelivery(message: Self.message(envelope.message), deliveryTag: envelope.delivery_tag,
                                redelivered: envelope.redelivered != 0,
                                exchange: AMQPTableReader.string(envelope.exchange),
                                routingKey: AMQPTableReader.string(envelope.routing_key),
                                consumerTag: AMQPTableReader.string(envelope.consumer_tag))
        case AMQP_RESPONSE_LIBRARY_EXCEPTION where reply.library_error == AMQP_STATUS_TIMEOUT.rawValue:
            return nil
        case AMQP_RESPONSE_LIBRARY_EXCEPTION where reply.library_error == AMQP_STATUS_UNEXPECTED_STATE.rawValue:
            // Something other than a delivery arrived: handle that frame.
            try readOneFrame(timeout: .zero)
            return bufferedDeliveries.isEmpty ? nil : bufferedDeliveries.removeFirst()
        default:
            try check(reply, "basic.consume")
            return nil
        }
    }

    /// Acknowledges a delivery (and, with `multiple`, every earlier one).
    public func ack(_ deliveryTag: UInt64, multiple: Bool = false) throws(AMQPError) {
        let state = try live()
        let status = amqp_basic_ack(state, channel, deliveryTag, multiple ? 1 : 0)
        guard status == AMQP_STATUS_OK.rawValue else { throw .library(code: status, message: Self.message(status)) }
    }

    /// Rejects a delivery: back to the queue (`requeue`, counting towards a quorum queue's delivery limit) or to
    /// the dead-letter exchange.
    public func reject(_ deliveryTag: UInt64, requeue: Bool) throws(AMQPError) {
        let state = try live()
        let status = amqp_basic_reject(state, channel, deliveryTag, requeue ? 1 : 0)
        guard status == AMQP_STATUS_OK.rawValue else { throw .library(code: status, message: Self.message(status)) }
    }

    /// Negatively acknowledges deliveries (RabbitMQ's extension: `multiple` like `ack`).
    public func nack(_ deliveryTag: UInt64, multiple: Bool = false, requeue: Bool) throws(AMQPError) {
        let state = try live()
        let status = amqp_basic_nack(state, channel, deliveryTag, multiple ? 1 : 0, requeue ? 1 : 0)
        guard status == AMQP_STATUS_OK.rawValue else { throw .library(code: status, message: Self.message(status)) }
    }

    /// Lets rabbitmq-c send a due heartbeat and handles a waiting frame, without blocking.
    public func service() throws(AMQPError) {
        _ = try live()
        try readOneFrame(timeout: .zero)
    }

    // MARK: Frames

    /// Reads and handles one frame, waiting at most `timeout` (a timeout is not an error here).
    private func readOneFrame(timeout: Duration) throws(AMQPError) {
        let state = try live()
        var frame = amqp_frame_t()
        var wait = Self.timeval(timeout)
        let status = amqp_simple_wait_frame_noblock(state, &frame, &wait)
        if status == AMQP_STATUS_TIMEOUT.rawValue { return }
        guard status == AMQP_STATUS_OK.rawValue else { throw .library(code: status, message: Self.message(status)) }
        guard frame.frame_type == UInt8(AMQP_FRAME_METHOD) else { return }
        let decoded = frame.payload.method.decoded
        switch frame.payload.method.id {
        case AMQP_BASIC_ACK_METHOD:
            let ack = decoded!.assumingMemoryBound(to: amqp_basic_ack_t.self).pointee
            settle(ack.delivery_tag, multiple: ack.multiple != 0, refused: false)
        case AMQP_BASIC_NACK_METHOD:
            let nack = decoded!.assumingMemoryBound(to: amqp_basic_nack_t.self).pointee
            settle(nack.delivery_tag, multiple: nack.multiple != 0, refused: true)
        case AMQP_BASIC_RETURN_METHOD:
            let returned = decoded!.assumingMemoryBound(to: amqp_basic_return_t.self).pointee
            var message = amqp_message_t()
            let reply = amqp_read_message(state, frame.channel, &message, 0)
            try check(reply, "basic.return content")
            defer { amqp_destroy_message(&message) }
            report.returned.append(AMQPReturnedMessage(
                replyCode: Int(returned.reply_code), replyText: AMQPTableReader.string(returned.reply_text),
                exchange: AMQPTableReader.string(returned.exchange),
                routingKey: AMQPTableReader.string(returned.routing_key), message: Self.message(message)))
        case AMQP_BASIC_DELIVER_METHOD:
            let deliver = decoded!.assumingMemoryBound(to: amqp_basic_deliver_t.self).pointee
            var message = amqp_message_t()
            let reply = amqp_read_message(state, frame.channel, &message, 0)
            try check(reply, "basic.deliver content")
            defer { amqp_destroy_message(&message) }
            bufferedDeliveries.append(AMQPDelivery(
                message: Self.message(message), deliveryTag: deliver.delivery_tag, redelivered: deliver.redelivered != 0,
                exchange: AMQPTableReader.string(deliver.exchange),
                routingKey: AMQPTableReader.string(deliver.routing_key),
                consumerTag: AMQPTableReader.string(deliver.consumer_tag)))
        case AMQP_BASIC_CANCEL_METHOD:
            let cancel = decoded!.assumingMemoryBound(to: amqp_basic_cancel_t.self).pointee
            cancelledConsumers.append(AMQPTableReader.string(cancel.consumer_tag))
        case AMQP_CONNECTION_BLOCKED_METHOD:
            isBlocked = true
        case AMQP_CONNECTION_UNBLOCKED_METHOD:
            isBlocked = false
        case AMQP_CHANNEL_CLOSE_METHOD:
            let close = decoded!.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
            throw channelClosedByServer(code: Int(close.reply_code), text: AMQPTableReader.string(close.reply_text))
        case AMQP_CONNECTION_CLOSE_METHOD:
            let close = decoded!.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
            throw connectionClosedByServer(code: Int(close.reply_code), text: AMQPTableReader.string(close.reply_text))
        default:
            return
        }
    }

    private func settle(_ tag: UInt64, multiple: Bool, refused: Bool) {
        let settled = multiple ? outstanding.filter { $0 <= tag } : (outstanding.contains(tag) ? [tag] : [])
        for settledTag in settled.sorted() {
            outstanding.remove(settledTag)
            if refused { report.refused.append(settledTag) } else { report.acknowledged.append(settledTag) }
        }
    }

    // MARK: Replies and errors

    private func check(_ reply: amqp_rpc_reply_t, _ operation: String) throws(AMQPError) {
        switch reply.reply_type {
        case AMQP_RESPONSE_NORMAL:
            return
        case AMQP_RESPONSE_NONE:
            throw .unexpectedFrame("no reply to \(operation)")
        case AMQP_RESPONSE_LIBRARY_EXCEPTION:
            if reply.library_error == AMQP_STATUS_TIMEOUT.rawValue { throw .timeout(operation) }
            throw .library(code: reply.library_error, message: "\(operation): \(Self.message(reply.library_error))")
        case AMQP_RESPONSE_SERVER_EXCEPTION:
            switch reply.reply.id {
            case AMQP_CHANNEL_CLOSE_METHOD:
                let close = reply.reply.decoded!.assumingMemoryBound(to: amqp_channel_close_t.self).pointee
                throw channelClosedByServer(code: Int(close.reply_code), text: AMQPTableReader.string(close.reply_text))
            case AMQP_CONNECTION_CLOSE_METHOD:
                let close = reply.reply.decoded!.assumingMemoryBound(to: amqp_connection_close_t.self).pointee
                throw connectionClosedByServer(code: Int(close.reply_code),
                                               text: AMQPTableReader.string(close.reply_text))
            default:
                throw .unexpectedFrame("server exception with method \(reply.reply.id) during \(operation)")
            }
        default:
            throw .unexpectedFrame("reply type \(reply.reply_type) during \(operation)")
        }
    }

    /// Answers the broker's channel.close and marks the channel for reopening (confirm mode is lost with it).
    private func channelClosedByServer(code: Int, text: String) -> AMQPError {
        if let state {
            var closeOk = amqp_channel_close_ok_t()
            _ = amqp_send_method(state, channel, AMQP_CHANNEL_CLOSE_OK_METHOD, &closeOk)
        }
        channelOpen = false
        outstanding.removeAll()
        return .channelClosed(code: code, text: text)
    }

    private func connectionClosedByServer(code: Int, text: String) -> AMQPError {
        if let state {
            var closeOk = amqp_connection_close_ok_t()
            _ = amqp_send_method(state, 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &closeOk)
            amqp_destroy_connection(state)
        }
        state = nil
        channelOpen = false
        return .connectionClosed(code: code, text: text)
    }

    /// The live connection, with its channel open (reopened after a channel error, with its settings restored).
    private func live() throws(AMQPError) -> amqp_connection_state_t {
        guard let state else { throw .connectionClosed(code: 0, text: "the connection is closed; open a new one") }
        if !channelOpen { try openChannel() }
        return state
    }

    private func openChannel() throws(AMQPError) {
        guard let state else { throw .connectionClosed(code: 0, text: "the connection is closed; open a new one") }
        amqp_channel_open(state, channel)
        try check(amqp_get_rpc_reply(state), "channel.open")
        channelOpen = true
        if confirmsEnabled {
            amqp_confirm_select(state, channel)
            try check(amqp_get_rpc_reply(state), "confirm.select")
            publishedCount = 0
        }
        if let prefetch {
            amqp_basic_qos(state, channel, 0, prefetch, 0)
            try check(amqp_get_rpc_reply(state), "basic.qos")
        }
    }

    private static func message(_ message: amqp_message_t) -> AMQPMessage {
        let properties = message.properties
        let flags = properties._flags
        func has(_ flag: Int32) -> Bool { flags & UInt32(flag) != 0 }
        return AMQPMessage(
            properties: AMQPProperties(
                contentType: has(AMQP_BASIC_CONTENT_TYPE_FLAG) ? AMQPTableReader.string(properties.content_type) : nil,
                messageID: has(AMQP_BASIC_MESSAGE_ID_FLAG) ? AMQPTableReader.string(properties.message_id) : nil,
                type: has(AMQP_BASIC_TYPE_FLAG) ? AMQPTableReader.string(properties.type) : nil,
                correlationID: has(AMQP_BASIC_CORRELATION_ID_FLAG)
                    ? AMQPTableReader.string(properties.correlation_id) : nil,
                timestamp: has(AMQP_BASIC_TIMESTAMP_FLAG) ? properties.timestamp : nil,
                persistent: has(AMQP_BASIC_DELIVERY_MODE_FLAG) && properties.delivery_mode == 2,
                headers: has(AMQP_BASIC_HEADERS_FLAG) ? AMQPTableReader.table(properties.headers) : [:]),
            body: AMQPTableReader.data(message.body))
    }

    private static func message(_ status: Int32) -> String {
        guard let text = amqp_error_string2(status) else { return "status \(status)" }
        return String(cString: text)
    }

    private static func timeval(_ duration: Duration) -> Glibc.timeval {
        let milliseconds = max(0, duration.components.seconds * 1000
                               + duration.components.attoseconds / 1_000_000_000_000_000)
        return reasoner_amqp_timeval(Int(milliseconds))
    }
}
