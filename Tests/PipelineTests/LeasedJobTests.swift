import Foundation
import Logging
import State
import Testing
@testable import Pipeline

private let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

/// Lease time that only moves when the test says so, and a count of renewals: the test advances time by half a TTL
/// only after the keeper has renewed, so the result does not depend on how busy the machine is.
private final class VirtualTime: @unchecked Sendable {  // test-only; guarded by a lock
    private let lock = NSLock()
    private var milliseconds: UInt64 = 0
    var now: UInt64 { lock.withLock { milliseconds } }
    func advance(by delta: UInt64) { lock.withLock { milliseconds += delta } }
}

/// Forwards to an in-memory store and counts lease renewals.
private actor CountingStore: StateStore {
    let inner: InMemoryStateStore
    private(set) var renewals = 0
    init(inner: InMemoryStateStore) { self.inner = inner }
    func setFields(_ fields: [String: String], of key: String) async throws { try await inner.setFields(fields, of: key) }
    func fields(of key: String) async throws -> [String: String] { try await inner.fields(of: key) }
    func increment(_ field: String, of key: String, by delta: Int) async throws -> Int {
        try await inner.increment(field, of: key, by: delta)
    }
    func addMembers(_ members: [String], to key: String) async throws -> Int { try await inner.addMembers(members, to: key) }
    func members(of key: String) async throws -> [String] { try await inner.members(of: key) }
    func acquireLease(_ name: String, holder: String, ttlMilliseconds: Int) async throws -> Lease? {
        await inner.acquireLease(name, holder: holder, ttlMilliseconds: ttlMilliseconds)
    }
    func renewLease(_ lease: Lease, ttlMilliseconds: Int) async throws -> Bool {
        renewals += 1
        return await inner.renewLease(lease, ttlMilliseconds: ttlMilliseconds)
    }
    func releaseLease(_ lease: Lease) async throws { await inner.releaseLease(lease) }
    func currentLease(_ name: String) async throws -> Lease? { await inner.currentLease(name) }
    func append(to stream: String, fields: [String: String]) async throws -> StreamID {
        try await inner.append(to: stream, fields: fields)
    }
    func existingKeys(_ keys: [String]) async throws -> Set<String> { await inner.existingKeys(keys) }
    func read(_ stream: String, after: StreamID, limit: Int) async throws -> [StreamEntry] {
        try await inner.read(stream, after: after, limit: limit)
    }
    func follow(_ stream: String, after: StreamID, limit: Int, waitMilliseconds: Int) async throws -> [StreamEntry] {
        try await inner.follow(stream, after: after, limit: limit, waitMilliseconds: waitMilliseconds)
    }
    func completeOnce(_ completion: Completion) async throws -> CompletionOutcome { try await inner.completeOnce(completion) }
}

@Test func aLongJobOutlivesItsTTLWhileTheKeeperRenews() async throws {
    let time = VirtualTime()
    let store = CountingStore(inner: InMemoryStateStore(clock: { time.now }))
    let outcome = try await LeasedJob.run("job", holder: "a", ttlMilliseconds: 300, store: store, logger: logger) { _ in
        // Six half-TTL steps of lease time (three TTLs), each after a renewal.
        for _ in 0..<6 {
            let before = await store.renewals
            while await store.renewals == before { try await Task.sleep(for: .milliseconds(5)) }
            time.advance(by: 150)
        }
        return 42
    }
    guard case .finished(let value, _) = outcome else {
        Issue.record("expected the job to finish, got \(outcome)")
        return
    }
    #expect(value == 42)
    #expect(try await store.currentLease("job") == nil, "released at the end")
}

@Test func aSecondWorkerDoesNotRunAJobThatIsHeld() async throws {
    let store: any StateStore = InMemoryStateStore()
    let held = try #require(try await store.acquireLease("job", holder: "a", ttlMilliseconds: 60_000))
    let outcome = try await LeasedJob.run("job", holder: "b", ttlMilliseconds: 1_000, store: store, logger: logger) { _ in
        Issue.record("the job must not run twice")
    }
    guard case .heldElsewhere(let current) = outcome else {
        Issue.record("expected heldElsewhere, got \(outcome)")
        return
    }
    #expect(current == held)
}

@Test func losingTheLeaseCancelsTheWorkAndFencesItsResults() async throws {
    let store: any StateStore = InMemoryStateStore()
    let outcome = try await LeasedJob.run("job", holder: "a", ttlMilliseconds: 300, store: store, logger: logger) { lease in
        // Another worker takes over (as after an expiry): the keeper's next renewal fails.
        try await store.releaseLease(lease)
        _ = try await store.acquireLease("job", holder: "b", ttlMilliseconds: 60_000)
        let stale = Completion(doneKey: "job:done", result: ["by": "a"], fence: lease)
        #expect(try await store.completeOnce(stale) == .fenced(current: try await store.currentLease("job")))
        try await Task.sleep(for: .seconds(60))  // cancelled long before this
        return 0
    }
    guard case .lost = outcome else {
        Issue.record("expected the lease to be lost, got \(outcome)")
        return
    }
}
