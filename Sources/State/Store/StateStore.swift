/// The fleet's shared state: run records, counters, leases with fencing tokens, streams of events and results, and an
/// atomic "complete once" step that makes a redelivered message a no-op. Two implementations share one conformance
/// suite: Redis (the fleet) and in-memory (the embedded mode and unit tests of logic).
///
/// Keys are plain strings; callers namespace them by run id (`reasoner:run:<id>:...`).
public protocol StateStore: Sendable {
    /// Sets fields of a record (a hash), leaving other fields as they are.
    func setFields(_ fields: [String: String], of key: String) async throws
    /// All fields of a record; empty if there is none.
    func fields(of key: String) async throws -> [String: String]
    /// Adds `delta` to a numeric field of a record (missing counts as 0) and returns the new value.
    func increment(_ field: String, of key: String, by delta: Int) async throws -> Int
    /// Which of `keys` exist (as anything: a record, a set, a done-mark), in one round trip.
    func existingKeys(_ keys: [String]) async throws -> Set<String>
    /// Adds members to a set; returns how many were new.
    func addMembers(_ members: [String], to key: String) async throws -> Int
    /// The members of a set, sorted.
    func members(of key: String) async throws -> [String]

    /// Takes the lease `name` for `holder` if nobody holds it (or the holder's lease expired). Each grant carries a
    /// fencing token larger than every earlier grant of that name, so a stale holder's writes can be refused.
    func acquireLease(_ name: String, holder: String, ttlMilliseconds: Int) async throws -> Lease?
    /// Extends a lease that is still held by the same grant; false if it was lost (expired and taken, or released).
    func renewLease(_ lease: Lease, ttlMilliseconds: Int) async throws -> Bool
    /// Gives a lease up (only if still held by that grant).
    func releaseLease(_ lease: Lease) async throws
    /// The current grant of a lease, if held.
    func currentLease(_ name: String) async throws -> Lease?

    /// Appends an entry to a stream and returns its id (ids increase within a stream).
    func append(to stream: String, fields: [String: String]) async throws -> StreamID
    /// Up to `limit` entries after `after` (exclusive), oldest first; `StreamID.start` reads from the beginning.
    func read(_ stream: String, after: StreamID, limit: Int) async throws -> [StreamEntry]
    /// Like `read`, but when nothing is there yet waits up to `waitMilliseconds` for an entry to arrive.
    func follow(_ stream: String, after: StreamID, limit: Int, waitMilliseconds: Int) async throws -> [StreamEntry]

    /// Records a message's result and its effects in one atomic step, once: if `completion.doneKey` was already
    /// recorded, nothing changes and the earlier result is returned. With a `fence`, the step is refused unless that
    /// lease grant is still current.
    func completeOnce(_ completion: Completion) async throws -> CompletionOutcome
}

/// A granted lease: who holds it and its fencing token.
public struct Lease: Sendable, Equatable, Codable {
    /// The lease's name (e.g. `reasoner:run:r1:lease:sft`).
    public var name: String
    /// Who holds it (e.g. `sft-trainer@host:pid`).
    public var holder: String
    /// Strictly increasing per name across grants.
    public var token: Int

    /// Makes a lease value.
    public init(name: String, holder: String, token: Int) {
        self.name = name
        self.holder = holder
        self.token = token
    }
}

/// A stream entry id, ordered like Redis stream ids (`<milliseconds>-<sequence>`).
public struct StreamID: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Milliseconds part.
    public var milliseconds: UInt64
    /// Sequence within the millisecond.
    public var sequence: UInt64

    /// Before every entry.
    public static let start = StreamID(milliseconds: 0, sequence: 0)

    /// Makes an id from its parts.
    public init(milliseconds: UInt64, sequence: UInt64) {
        self.milliseconds = milliseconds
        self.sequence = sequence
    }

    /// Parses `<ms>-<seq>`.
    public init?(_ text: String) {
        let parts = text.split(separator: "-")
        guard parts.count == 2, let ms = UInt64(parts[0]), let seq = UInt64(parts[1]) else { return nil }
        self.init(milliseconds: ms, sequence: seq)
    }

    public var description: String { "\(milliseconds)-\(sequence)" }

    public static func < (a: StreamID, b: StreamID) -> Bool {
        (a.milliseconds, a.sequence) < (b.milliseconds, b.sequence)
    }
}

/// One entry of a stream.
public struct StreamEntry: Sendable, Equatable {
    /// Its id.
    public var id: StreamID
    /// Its fields.
    public var fields: [String: String]

    /// Makes an entry.
    public init(id: StreamID, fields: [String: String]) {
        self.id = id
        self.fields = fields
    }
}

/// The effects of handling one message, applied atomically once.
public struct Completion: Sendable, Equatable {
    /// Marks the message as done (e.g. `reasoner:run:r1:done:<message id>`); holds the result.
    public var doneKey: String
    /// The message's result, stored under `doneKey` and returned on repeats.
    public var result: [String: String]
    /// Counters to add to: (record key, field, delta).
    public var increments: [CounterIncrement]
    /// Record fields to set.
    public var records: [RecordUpdate]
    /// Stream entries to append (events, streamed evaluation results).
    public var events: [StreamAppend]
    /// If set, the step happens only while this lease grant is current (a long job's writes after losing its lease
    /// are refused).
    public var fence: Lease?

    /// Makes a completion.
    public init(doneKey: String, result: [String: String], increments: [CounterIncrement] = [],
                records: [RecordUpdate] = [], events: [StreamAppend] = [], fence: Lease? = nil) {
        self.doneKey = doneKey
        self.result = result
        self.increments = increments
        self.records = records
        self.events = events
        self.fence = fence
    }
}

/// Add `delta` to `field` of record `key`.
public struct CounterIncrement: Sendable, Equatable {
    /// Record key.
    public var key: String
    /// Field.
    public var field: String
    /// Amount.
    public var delta: Int

    /// Makes an increment.
    public init(key: String, field: String, delta: Int) {
        self.key = key
        self.field = field
        self.delta = delta
    }
}

/// Set fields of record `key`.
public struct RecordUpdate: Sendable, Equatable {
    /// Record key.
    public var key: String
    /// Fields to set.
    public var fields: [String: String]

    /// Makes an update.
    public init(key: String, fields: [String: String]) {
        self.key = key
        self.fields = fields
    }
}

/// Append `fields` to `stream`.
public struct StreamAppend: Sendable, Equatable {
    /// Stream key.
    public var stream: String
    /// Entry fields.
    public var fields: [String: String]

    /// Makes an append.
    public init(stream: String, fields: [String: String]) {
        self.stream = stream
        self.fields = fields
    }
}

/// What `completeOnce` did.
public enum CompletionOutcome: Sendable, Equatable {
    /// The effects were applied now.
    case completed
    /// The message was completed before; nothing changed. Carries the stored result.
    case alreadyCompleted(result: [String: String])
    /// The fence lease is no longer current; nothing changed. The caller must stop working on the job.
    case fenced(current: Lease?)
}

/// Why a state operation failed.
public enum StateError: Error, Equatable, CustomStringConvertible {
    /// The store is unreachable or failed; the message says what to check.
    case unavailable(String)
    /// A key holds another kind of value than the operation needs.
    case wrongType(key: String, expected: String)
    /// A stored field is not the number a counter needs.
    case notANumber(key: String, field: String, value: String)
    /// The store refused the operation (a Redis error reply such as WRONGTYPE); the message is the server's.
    case refused(String)

    public var description: String {
        switch self {
        case .unavailable(let message): return message
        case .wrongType(let key, let expected): return "key '\(key)' does not hold a \(expected); is another program using this Redis database?"
        case .notANumber(let key, let field, let value): return "field '\(field)' of '\(key)' is '\(value)', not a number"
        case .refused(let message): return "the state store refused the operation: \(message)"
        }
    }
}
