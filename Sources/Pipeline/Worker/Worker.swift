import Artifacts
import Foundation
import Logging
import Messaging
import Metrics
import ServiceLifecycle
import State
import Synchronization

/// A role's consumer loop: consume → decode → handle → record the effects once → publish follow-ups → acknowledge.
///
/// Delivery contract (DESIGN §3): messages are acknowledged only after their effects are durable; a message whose
/// done-mark exists is not handled again (its stored follow-ups are re-published, then it is acknowledged); bytes
/// that are not a message, unknown types or versions, and ``HandlerError/permanent(_:)`` failures go to the
/// dead-letter queue with their reason; other failures are handed back after a backoff until the queue's delivery
/// limit dead-letters them. On graceful shutdown (SIGTERM through a `ServiceGroup`) the worker stops taking work,
/// finishes the message in hand and returns.
public struct Worker<Handler: MessageHandler>: Service {
    /// The role's name (for logs and metrics), e.g. `sampler`.
    public let role: String
    /// The queue it consumes.
    public let queue: String
    /// Deliveries in flight at most.
    public let prefetch: Int
    private let broker: any MessageBroker
    private let store: any StateStore
    private let handler: Handler
    private let logger: Logger
    private let retryBackoff: RetryBackoff
    /// The queue's delivery limit (the broker dead-letters a message handed back that many times); by default the
    /// fleet topology's for the queue.
    private let deliveryLimit: Int?

    /// Makes a worker for one queue.
    public init(role: String, queue: String, prefetch: Int, broker: any MessageBroker, store: any StateStore,
                handler: Handler, logger: Logger, retryBackoff: RetryBackoff = RetryBackoff(), deliveryLimit: Int? = nil) {
        self.deliveryLimit = deliveryLimit ?? FleetTopology.standard.queues.first { $0.name == queue }?.deliveryLimit
        self.role = role
        self.queue = queue
        self.prefetch = prefetch
        self.broker = broker
        self.store = store
        self.handler = handler
        var logger = logger
        logger[metadataKey: "role"] = "\(role)"
        self.logger = logger
        self.retryBackoff = retryBackoff
    }

    /// Consumes until graceful shutdown or cancellation.
    public func run() async throws {
        let consumer = try await broker.consume(queue: queue, prefetch: prefetch)
        logger.info("consuming", metadata: ["queue": "\(queue)", "prefetch": "\(prefetch)"])
        do {
            while !Task.isShuttingDownGracefully, !Task.isCancelled {
                let received: Received?
                do {
                    received = try await cancelWhenGracefulShutdown { try await consumer.next() }
                } catch is CancellationError {
                    break
                }
                guard let received else { break }
                try await process(received, consumer: consumer)
            }
        } catch {
            await consumer.cancel()
            throw error
        }
        await consumer.cancel()
        logger.info("stopped taking work")
    }

    /// Handles one delivery to its end (acknowledged, handed back or dead-lettered).
    func process(_ received: Received, consumer: any MessageConsumer) async throws {
        guard case .message(let delivery) = received else {
            if case .undecodable(let raw) = received {
                try await deadLetter(received, consumer: consumer, reason: raw.reason, logger: logger)
            }
            return
        }
        let envelope = delivery.envelope
        var logger = self.logger
        logger[metadataKey: "run"] = "\(envelope.runID)"
        logger[metadataKey: "message"] = "\(envelope.id)"
        let doneKey = StateKeys.done(runID: envelope.runID, messageID: envelope.id)

        let previous = try await store.fields(of: doneKey)
        if !previous.isEmpty {
            logger.info("already completed: re-publishing its follow-ups and acknowledging")
            try await broker.publish(try FollowUpCodec.decode(previous))
            try await consumer.ack(tag: delivery.tag)
            count("duplicate")
            return
        }

        let message: Handler.Message
        do {
            message = try envelope.decode(Handler.Message.self)
        } catch {
            try await markFailed(envelope, reason: String(describing: error))
            try await deadLetter(received, consumer: consumer, reason: String(describing: error), logger: logger)
            return
        }

        logger.info("handling", metadata: ["type": "\(envelope.type)", "redelivered": "\(delivery.redelivered)"])
        let acknowledged = Mutex(false)
        let acknowledge: @Sendable () async throws -> Void = { [consumer] in
            guard acknowledged.withLock({ done in defer { done = true }; return !done }) else { return }
            try await consumer.ack(tag: delivery.tag)
        }
        let outcome: HandlerOutcome
        do {
            let context = HandlerContext(runID: envelope.runID, messageID: envelope.id,
                                         redelivered: delivery.redelivered, logger: logger,
                                         acknowledgeEarly: acknowledge)
            outcome = try await handler.handle(message, context: context)
        } catch HandlerError.ownedElsewhere(let reason) {
            logger.info("owned by another worker: acknowledging without recording", metadata: ["reason": "\(reason)"])
            try await acknowledge()
            count("owned_elsewhere")
            return
        } catch HandlerError.permanent(let reason) where !acknowledged.withLock({ $0 }) {
            try await markFailed(envelope, reason: reason)
            try await deadLetter(received, consumer: consumer, reason: reason, logger: logger)
            return
        } catch HandlerError.permanent(let reason) {
            // Acknowledged early (a training job): there is no delivery left to dead-letter, so the failure mark is
            // what ends the run, instead of a re-issue after the lease lapses that would fail the same way forever.
            logger.error("an early-acknowledged job failed for good; the run fails", metadata: ["reason": "\(reason)"])
            try await markFailed(envelope, reason: reason)
            count("failed_after_ack")
            return
        } catch let error as ArtifactError where error.isPermanent && !acknowledged.withLock({ $0 }) {
            // A ref that escapes the volume or is malformed never resolves, however often it is retried.
            try await markFailed(envelope, reason: error.description)
            try await deadLetter(received, consumer: consumer, reason: error.description, logger: logger)
            return
        } catch where acknowledged.withLock({ $0 }) {
            logger.error("an early-acknowledged job failed; the coordinator re-issues it once its lease lapses",
                         metadata: ["error": "\(error)"])
            count("failed_after_ack")
            return
        } catch {
            if let limit = deliveryLimit, delivery.previousDeliveries + 1 > limit {
                // The broker dead-letters this delivery when it is handed back: the last try failed.
                try await markFailed(envelope, reason: "failed \(limit + 1) deliveries; the last: \(error)")
            }
            let delay = retryBackoff.delay(afterDeliveries: delivery.previousDeliveries + 1)
            logger.warning("handler failed; handing the message back",
                           metadata: ["error": "\(error)", "retry_in_ms": "\(delay.milliseconds)"])
            try? await Task.sleep(for: delay)
            try await consumer.reject(tag: delivery.tag, requeue: true)
            count("retried")
            return
        }

        var result = outcome.result
        result[FollowUpCodec.field] = try FollowUpCodec.encode(outcome.followUps)
        let completion = Completion(doneKey: doneKey, result: result, increments: outcome.increments,
                                    records: outcome.records, events: outcome.events, fence: outcome.fence)
        switch try await store.completeOnce(completion) {
        case .completed:
            try await broker.publish(outcome.followUps)
            count("completed")
        case .alreadyCompleted(let stored):
            logger.info("completed concurrently by another worker: publishing the stored follow-ups")
            try await broker.publish(try FollowUpCodec.decode(stored))
            count("duplicate")
        case .fenced(let current):
            logger.warning("lease lost: another worker owns this job now; dropping this attempt's effects",
                           metadata: ["holder": "\(current?.holder ?? "none")"])
            count("fenced")
        }
        try await acknowledge()
    }

    /// Records that a run's message failed for good (the coordinator then fails the run with the reason).
    private func markFailed(_ envelope: Envelope, reason: String) async throws {
        try await store.setFields([envelope.id: UUID().uuidString + " " + reason], of: StateKeys.failures(envelope.runID))
    }

    private func deadLetter(_ received: Received, consumer: any MessageConsumer, reason: String,
                            logger: Logger) async throws {
        logger.error("dead-lettering", metadata: ["reason": "\(reason)"])
        try await consumer.deadLetter(received, reason: reason)
        count("dead_lettered")
    }

    private func count(_ outcome: String) {
        Counter(label: "reasoner_messages_total", dimensions: [("role", role), ("outcome", outcome)]).increment()
    }
}

/// How long a worker waits before handing a failed message back: exponential in the number of deliveries, capped.
public struct RetryBackoff: Sendable {
    /// Wait after the first failure.
    public var initial: Duration
    /// Longest wait.
    public var maximum: Duration

    /// Makes a backoff (defaults: 200 ms doubling up to 10 s).
    public init(initial: Duration = .milliseconds(200), maximum: Duration = .seconds(10)) {
        self.initial = initial
        self.maximum = maximum
    }

    /// The wait after `deliveries` failed deliveries.
    public func delay(afterDeliveries deliveries: Int) -> Duration {
        let factor = 1 << min(max(deliveries - 1, 0), 20)
        return min(initial * factor, maximum)
    }
}

extension Duration {
    /// Whole milliseconds (for logs).
    var milliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
}

extension ArtifactError {
    /// Whether no retry can help: the ref itself is refused (`..`, absolute, escaping through a symlink).
    var isPermanent: Bool {
        switch self {
        case .invalidRef, .escapesRoot: true
        case .notFound, .io, .hashMismatch: false
        }
    }
}
