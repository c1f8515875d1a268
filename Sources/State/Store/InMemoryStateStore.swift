import Foundation

/// The in-memory state store of the embedded mode and of unit tests of logic: the same contract as the Redis store,
/// in one process. Lease expiry follows `clock` (milliseconds), which tests may drive by hand.
public actor InMemoryStateStore: StateStore {
    private enum Value {
        case record([String: String])
        case set(Set<String>)
        case stream([StreamEntry])
    }

    private struct Grant {
        var lease: Lease
        var expiresAt: UInt64
    }

    private struct Follower {
        let stream: String
        let continuation: CheckedContinuation<Void, Never>
    }

    private var values: [String: Value] = [:]
    private var leases: [String: Grant] = [:]
    private var fencingCounters: [String: Int] = [:]
    private var followers: [UUID: Follower] = [:]
    private var lastStreamID = StreamID.start
    private let clock: @Sendable () -> UInt64

    /// A store whose lease clock is the system's monotonic clock, or `clock` (milliseconds) when given.
    public init(clock: (@Sendable () -> UInt64)? = nil) {
        if let clock {
            self.clock = clock
        } else {
            let origin = ContinuousClock.now
            self.clock = {
                let elapsed = ContinuousClock.now - origin
                return UInt64(elapsed.components.seconds) * 1000 + UInt64(elapsed.components.attoseconds / 1_000_000_000_000_000)
            }
        }
    }

    // MARK: Records, counters, sets

    public func setFields(_ fields: [String: String], of key: String) throws {
        var record = try self.record(key)
        record.merge(fields) { _, new in new }
        values[key] = .record(record)
    }

    public func fields(of key: String) throws -> [String: String] { try record(key) }

    public func increment(_ field: String, of key: String, by delta: Int) throws -> Int {
        var record = try self.record(key)
        let current = record[field] ?? "0"
        guard let value = Int(current) else { throw StateError.notANumber(key: key, field: field, value: current) }
        record[field] = String(value + delta)
        values[key] = .record(record)
        return value + delta
    }

    public func existingKeys(_ keys: [String]) -> Set<String> {
        Set(keys.filter { values[$0] != nil })
    }

    public func addMembers(_ members: [String], to key: String) throws -> Int {
        var set: Set<String>
        switch values[key] {
        case nil: set = []
        case .set(let existing): set = existing
        default: throw StateError.wrongType(key: key, expected: "set")
        }
        let before = set.count
        set.formUnion(members)
        values[key] = .set(set)
        return set.count - before
    }

    public func members(of key: String) throws -> [String] {
        switch values[key] {
        case nil: return []
        case .set(let set): return set.sorted()
        default: throw StateError.wrongType(key: key, expected: "set")
        }
    }

    // MARK: Leases

    public func acquireLease(_ name: String, holder: String, ttlMilliseconds: Int) -> Lease? {
        if currentGrant(name) != nil { return nil }
        let token = fencingCounters[name, default: 0] + 1
        fencingCounters[name] = token
        let lease = Lease(name: name, holder: holder, token: token)
        leases[name] = Grant(lease: lease, expiresAt: clock() + UInt64(ttlMilliseconds))
        return lease
    }

    public func renewLease(_ lease: Lease, ttlMilliseconds: Int) -> Bool {
        guard currentGrant(lease.name)?.lease == lease else { return false }
        leases[lease.name]?.expiresAt = clock() + UInt64(ttlMilliseconds)
        return true
    }

    public func releaseLease(_ lease: Lease) {
        if currentGrant(lease.name)?.lease == lease { leases[lease.name] = nil }
    }

    public func currentLease(_ name: String) -> Lease? { currentGrant(name)?.lease }

    // MARK: Streams

    public func append(to stream: String, fields: [String: String]) throws -> StreamID {
        var entries: [StreamEntry]
        switch values[stream] {
        case nil: entries = []
        case .stream(let existing): entries = existing
        default: throw StateError.wrongType(key: stream, expected: "stream")
        }
        let now = UInt64(Date().timeIntervalSince1970 * 1000)
        let id = now > lastStreamID.milliseconds
            ? StreamID(milliseconds: now, sequence: 0)
            : StreamID(milliseconds: lastStreamID.milliseconds, sequence: lastStreamID.sequence + 1)
        lastStreamID = id
        entries.append(StreamEntry(id: id, fields: fields))
        values[stream] = .stream(entries)
        for (key, follower) in followers where follower.stream == stream {
            followers[key] = nil
            follower.continuation.resume()
        }
        return id
    }

    public func read(_ stream: String, after: StreamID, limit: Int) throws -> [StreamEntry] {
        switch values[stream] {
        case nil: return []
        case .stream(let entries): return Array(entries.lazy.filter { $0.id > after }.prefix(limit))
        default: throw StateError.wrongType(key: stream, expected: "stream")
        }
    }

    public func follow(_ stream: String, after: StreamID, limit: Int, waitMilliseconds: Int) async throws -> [StreamEntry] {
        let ready = try read(stream, after: after, limit: limit)
        guard ready.isEmpty, waitMilliseconds > 0 else { return ready }
        let key = UUID()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            followers[key] = Follower(stream: stream, continuation: continuation)
            Task {
                try? await Task.sleep(for: .milliseconds(waitMilliseconds))
                self.wakeFollower(key)
            }
        }
        return try read(stream, after: after, limit: limit)
    }

    private func wakeFollower(_ key: UUID) {
        followers.removeValue(forKey: key)?.continuation.resume()
    }

    // MARK: Complete once

    public func completeOnce(_ completion: Completion) throws -> CompletionOutcome {
        if let fence = completion.fence, currentGrant(fence.name)?.lease != fence {
            return .fenced(current: currentGrant(fence.name)?.lease)
        }
        if case .record(let previous)? = values[completion.doneKey] { return .alreadyCompleted(result: previous) }
        // Check every effect first so that a failure leaves nothing half-applied.
        for increment in completion.increments {
            let current = try record(increment.key)[increment.field] ?? "0"
            guard Int(current) != nil else {
                throw StateError.notANumber(key: increment.key, field: increment.field, value: current)
            }
        }
        for update in completion.records { _ = try record(update.key) }
        for event in completion.events {
            if let value = values[event.stream], case .stream = value { continue }
            if values[event.stream] != nil { throw StateError.wrongType(key: event.stream, expected: "stream") }
        }
        values[completion.doneKey] = .record(completion.result)
        for increment in completion.increments {
            _ = try self.increment(increment.field, of: increment.key, by: increment.delta)
        }
        for update in completion.records { try setFields(update.fields, of: update.key) }
        for event in completion.events { _ = try append(to: event.stream, fields: event.fields) }
        return .completed
    }

    // MARK: Internals

    private func record(_ key: String) throws -> [String: String] {
        switch values[key] {
        case nil: return [:]
        case .record(let record): return record
        default: throw StateError.wrongType(key: key, expected: "record (hash)")
        }
    }

    private func currentGrant(_ name: String) -> Grant? {
        guard let grant = leases[name] else { return nil }
        if grant.expiresAt <= clock() {
            leases[name] = nil
            return nil
        }
        return grant
    }
}
