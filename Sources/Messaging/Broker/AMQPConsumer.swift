import Foundation
import Synchronization

/// A consumer of one queue on its own connection and thread (see ``AMQPBroker``).
///
/// Deliveries arrive on the connection's thread and wait in an inbox until `next()` takes them. If the connection
/// breaks, the consumer reconnects with backoff and consumes again; deliveries of the broken connection go back to
/// the queue on the broker's side, so their tags (which carry the connection's epoch) are ignored when answered.
final class AMQPConsumer: MessageConsumer {
    private struct Inbox {
        var buffered: [Received] = []
        var waiting: CheckedContinuation<Received?, any Error>?
        var finished = false
        var thread: ConnectionThread?
        var epoch: UInt64 = 0
    }

    private let broker: AMQPBroker
    private let queue: String
    private let prefetch: UInt16
    private let inbox = Mutex(Inbox())
    private static let tagBits: UInt64 = 48

    init(broker: AMQPBroker, queue: String, prefetch: UInt16) {
        self.broker = broker
        self.queue = queue
        self.prefetch = prefetch
    }

    /// Connects and starts consuming (throws if the queue does not exist).
    func start() async throws {
        do {
            try await connect()
        } catch let error as AMQPError {
            throw AMQPBroker.brokerError(error)
        }
    }

    private func connect() async throws {
        let connection = try await AMQPBroker.connect(broker.configuration, name: "consumer of \(queue)")
        for topology in broker.knownTopologies { try AMQPBroker.declare(topology, on: connection) }
        try connection.setPrefetch(prefetch)
        try connection.consume(queue: queue)
        let epoch = inbox.withLock { inbox -> UInt64 in
            inbox.epoch += 1
            return inbox.epoch
        }
        let queue = self.queue
        let thread = ConnectionThread(
            connection: connection, name: "reasoner.amqp.consumer",
            pump: { [weak self] connection in
                guard let delivery = try connection.nextDelivery(timeout: .zero) else { return }
                let tag = epoch << Self.tagBits | delivery.deliveryTag
                self?.deliver(AMQPEnvelopeCoding.received(delivery, queue: queue, tag: tag))
            },
            onFailure: { [weak self] _ in self?.reconnect(after: epoch) })
        let keep = inbox.withLock { inbox -> Bool in
            guard !inbox.finished else { return false }
            inbox.thread = thread
            return true
        }
        if !keep { thread.stop() }
    }

    private func deliver(_ received: Received) {
        let waiting = inbox.withLock { inbox -> CheckedContinuation<Received?, any Error>? in
            if let waiting = inbox.waiting {
                inbox.waiting = nil
                return waiting
            }
            inbox.buffered.append(received)
            return nil
        }
        waiting?.resume(returning: received)
    }

    /// The connection of epoch `epoch` failed: reconnect with backoff until it works or the consumer is cancelled.
    private func reconnect(after epoch: UInt64) {
        let stale = inbox.withLock { inbox -> Bool in
            guard inbox.epoch == epoch, !inbox.finished else { return true }
            inbox.thread = nil
            // Deliveries of the broken connection go back to the queue on the broker's side; drop our copies.
            inbox.buffered.removeAll()
            return false
        }
        guard !stale else { return }
        Task { await self.reconnectLoop() }
    }

    private var isFinished: Bool { inbox.withLock { $0.finished } }

    private func reconnectLoop() async {
        var attempt = 0
        while !isFinished {
            attempt += 1
            do {
                try await connect()
                return
            } catch {
                try? await Task.sleep(for: AMQPBroker.backoff(attempt: attempt))
            }
        }
    }

    func next() async throws -> Received? {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Received?, any Error>) in
                let immediate = inbox.withLock { inbox -> Result<Received?, BrokerError>? in
                    if !inbox.buffered.isEmpty { return .success(inbox.buffered.removeFirst()) }
                    if inbox.finished { return .success(nil) }
                    if inbox.waiting != nil { return .failure(.concurrentNext) }
                    inbox.waiting = continuation
                    return nil
                }
                if let immediate { continuation.resume(with: immediate.mapError { $0 as any Error }) }
            }
        } onCancel: {
            Task { await self.cancel() }
        }
    }

    func ack(tag: UInt64) async throws {
        try await answer(tag) { connection, deliveryTag in try connection.ack(deliveryTag) }
    }

    func reject(tag: UInt64, requeue: Bool) async throws {
        try await answer(tag) { connection, deliveryTag in try connection.reject(deliveryTag, requeue: requeue) }
    }

    func deadLetter(_ received: Received, reason: String) async throws {
        let route = broker.deadLetterRoute(of: queue)
        switch received {
        case .message(let delivery):
            var envelope = delivery.envelope
            envelope.headers[InMemoryBroker.deadLetterReasonHeader] = reason
            envelope.headers[InMemoryBroker.originalQueueHeader] = queue
            try await broker.publish([OutgoingMessage(exchange: route.exchange, routingKey: route.queue,
                                                      envelope: envelope)])
        case .undecodable(let raw):
            try await broker.publishRaw(raw.body, headers: [InMemoryBroker.deadLetterReasonHeader: reason,
                                                            InMemoryBroker.originalQueueHeader: queue],
                                        exchange: route.exchange, routingKey: route.queue)
        }
        try await ack(tag: received.tag)
    }

    func cancel() async {
        let (thread, waiting) = inbox.withLock { inbox -> (ConnectionThread?, CheckedContinuation<Received?, any Error>?) in
            inbox.finished = true
            defer {
                inbox.thread = nil
                inbox.waiting = nil
            }
            return (inbox.thread, inbox.waiting)
        }
        thread?.stop()
        waiting?.resume(returning: nil)
    }

    /// Answers a delivery on the connection it came from; a delivery of an earlier (broken) connection is already
    /// back in its queue, so answering it is a no-op.
    private func answer(_ tag: UInt64,
                        _ body: @escaping @Sendable (AMQPConnection, UInt64) throws -> Void) async throws {
        let epoch = tag >> Self.tagBits
        let deliveryTag = tag & ((1 << Self.tagBits) - 1)
        let thread = inbox.withLock { inbox -> ConnectionThread? in inbox.epoch == epoch ? inbox.thread : nil }
        guard let thread else { return }
        do {
            try await thread.perform { connection in try body(connection, deliveryTag) }
        } catch let error as AMQPError {
            throw AMQPBroker.brokerError(error)
        }
    }
}
