import Logging
import Messaging
import State

/// The work of one role: turns one message into durable effects.
///
/// A handler writes its artifacts durably (the artifact store does) before it returns, and returns everything else
/// it wants to happen as an outcome, which the worker applies atomically once, then publishes the follow-ups, then
/// acknowledges. A handler may therefore run more than once for one message (a crash before the done-mark), so it
/// must be deterministic in what it writes (same message, same artifact paths and follow-up ids).
public protocol MessageHandler: Sendable {
    /// The message type this handler reads.
    associatedtype Message: WorkMessage
    /// Does the work.
    /// - Throws: ``HandlerError/permanent(_:)`` for input that can never succeed (it is dead-lettered at once with
    ///   the reason); any other error is treated as transient and retried until the queue's delivery limit.
    func handle(_ message: Message, context: HandlerContext) async throws -> HandlerOutcome
}

/// What a handler knows about the delivery it works on.
public struct HandlerContext: Sendable {
    /// The run the message belongs to.
    public var runID: String
    /// The message id (the idempotency key).
    public var messageID: String
    /// Whether the broker delivered it before.
    public var redelivered: Bool
    /// Logger with the run id and message id as metadata.
    public var logger: Logger
    /// Acknowledges the delivery now, before the work ends: for jobs longer than the broker's consumer timeout
    /// (30 min), which hold a lease instead (``LeasedJob``). From then on the broker will not redeliver the message;
    /// if the process dies, the lease expires and the coordinator re-issues the work.
    public var acknowledgeEarly: @Sendable () async throws -> Void

    /// Makes a context.
    public init(runID: String, messageID: String, redelivered: Bool, logger: Logger,
                acknowledgeEarly: @escaping @Sendable () async throws -> Void = {}) {
        self.runID = runID
        self.messageID = messageID
        self.redelivered = redelivered
        self.logger = logger
        self.acknowledgeEarly = acknowledgeEarly
    }
}

/// What handling a message changes, applied once (see ``StateStore/completeOnce(_:)``).
public struct HandlerOutcome: Sendable {
    /// The message's result, kept under its done-mark.
    public var result: [String: String]
    /// Counters to add to.
    public var increments: [CounterIncrement]
    /// Records to update.
    public var records: [RecordUpdate]
    /// Stream entries to append.
    public var events: [StreamAppend]
    /// Messages to publish once the effects are recorded (ids must be deterministic: downstream dedupes by id).
    public var followUps: [OutgoingMessage]
    /// A lease the effects are conditional on (long jobs).
    public var fence: Lease?

    /// Makes an outcome.
    public init(result: [String: String] = [:], increments: [CounterIncrement] = [], records: [RecordUpdate] = [],
                events: [StreamAppend] = [], followUps: [OutgoingMessage] = [], fence: Lease? = nil) {
        self.result = result
        self.increments = increments
        self.records = records
        self.events = events
        self.followUps = followUps
        self.fence = fence
    }
}

/// Failures a handler reports on purpose.
public enum HandlerError: Error, Equatable {
    /// The message can never be handled (bad reference, invalid settings): dead-letter it with this reason now.
    case permanent(String)
    /// Another worker owns this job (its lease is held, or was lost to another): acknowledge the delivery and record
    /// nothing; the owner's completion is the one that counts.
    case ownedElsewhere(String)
}
