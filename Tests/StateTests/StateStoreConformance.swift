import Foundation
import Testing
@testable import State

/// The contract every `StateStore` keeps, run against each implementation (in-memory here; Redis against the real
/// server). Each check uses its own uniquely named keys, so checks can run in parallel on one server.
enum StateStoreConformance {
    static func prefix() -> String { "conf:\(UUID().uuidString.prefix(8).lowercased())" }

    static func recordsAndCounters(_ store: any StateStore) async throws {
        let key = "\(prefix()):run"
        #expect(try await store.fields(of: key).isEmpty)
        try await store.setFields(["stage": "sft", "seed": "7"], of: key)
        try await store.setFields(["stage": "dpo"], of: key)
        #expect(try await store.fields(of: key) == ["stage": "dpo", "seed": "7"])
        #expect(try await store.increment("samples", of: key, by: 5) == 5)
        #expect(try await store.increment("samples", of: key, by: -2) == 3)
        await #expect(throws: StateError.self) { _ = try await store.increment("stage", of: key, by: 1) }
        let set = "\(prefix()):workers"
        #expect(try await store.addMembers(["b", "a"], to: set) == 2)
        #expect(try await store.addMembers(["a", "c"], to: set) == 1)
        #expect(try await store.members(of: set) == ["a", "b", "c"])
        #expect(try await store.existingKeys([key, set, "\(prefix()):absent"]) == [key, set])
        #expect(try await store.existingKeys([]).isEmpty)
    }

    static func leasesFenceStaleHolders(_ store: any StateStore) async throws {
        let name = "\(prefix()):lease:sft"
        // Held with a TTL no stall of a busy machine can outlast; then shortened and watched until it lapses, so
        // nothing here depends on how fast the machine is.
        let first = try #require(try await store.acquireLease(name, holder: "trainer-1", ttlMilliseconds: 600_000))
        #expect(try await store.acquireLease(name, holder: "trainer-2", ttlMilliseconds: 600_000) == nil)
        #expect(try await store.renewLease(first, ttlMilliseconds: 600_000))
        #expect(try await store.currentLease(name) == first)
        #expect(try await store.renewLease(first, ttlMilliseconds: 200))
        var polls = 0
        while try await store.currentLease(name) != nil {
            polls += 1
            try #require(polls < 2_400, "a lease shortened to 200 ms was still held two minutes later")
            try await Task.sleep(for: .milliseconds(50))
        }
        let second = try #require(try await store.acquireLease(name, holder: "trainer-2", ttlMilliseconds: 600_000))
        #expect(second.token > first.token, "fencing tokens only grow")
        #expect(try await !store.renewLease(first, ttlMilliseconds: 150), "a lapsed grant cannot be renewed")
        let stale = Completion(doneKey: "\(name):done:step-10", result: ["step": "10"], fence: first)
        #expect(try await store.completeOnce(stale) == .fenced(current: second))
        try await store.releaseLease(first)  // not held by that grant: no effect
        #expect(try await store.currentLease(name) == second)
        try await store.releaseLease(second)
        #expect(try await store.currentLease(name) == nil)
    }

    static func streamsReadAndFollow(_ store: any StateStore) async throws {
        let stream = "\(prefix()):events"
        #expect(try await store.read(stream, after: .start, limit: 10).isEmpty)
        let first = try await store.append(to: stream, fields: ["kind": "stage", "name": "sft"])
        let second = try await store.append(to: stream, fields: ["kind": "stage", "name": "dpo"])
        #expect(first < second)
        #expect(try await store.read(stream, after: .start, limit: 10).map(\.fields["name"]) == ["sft", "dpo"])
        #expect(try await store.read(stream, after: first, limit: 10).map(\.id) == [second])
        #expect(try await store.read(stream, after: .start, limit: 1).count == 1)
        // A follower waiting on the end of the stream wakes when an entry arrives.
        let follower = Task { try await store.follow(stream, after: second, limit: 10, waitMilliseconds: 20_000) }
        try await Task.sleep(for: .milliseconds(100))
        let third = try await store.append(to: stream, fields: ["kind": "result", "correct": "1"])
        let seen = try await follower.value
        #expect(seen.map(\.id) == [third])
        // With nothing arriving it returns empty once the wait is over.
        #expect(try await store.follow(stream, after: third, limit: 10, waitMilliseconds: 50).isEmpty)
    }

    static func completeOnceIsAtomicAndIdempotent(_ store: any StateStore) async throws {
        let run = prefix()
        let completion = Completion(
            doneKey: "\(run):done:msg-1", result: ["pairs": "3"],
            increments: [CounterIncrement(key: "\(run):counts", field: "judged", delta: 32)],
            records: [RecordUpdate(key: "\(run):item:q1", fields: ["accuracy": "0.5"])],
            events: [StreamAppend(stream: "\(run):events", fields: ["kind": "judged", "item": "q1"])])
        #expect(try await store.completeOnce(completion) == .completed)
        var again = completion
        again.result = ["pairs": "999"]
        #expect(try await store.completeOnce(again) == .alreadyCompleted(result: ["pairs": "3"]))
        #expect(try await store.fields(of: "\(run):counts") == ["judged": "32"], "a repeat changes nothing")
        #expect(try await store.fields(of: "\(run):item:q1") == ["accuracy": "0.5"])
        #expect(try await store.read("\(run):events", after: .start, limit: 10).count == 1)
    }

    static func completeOnceAppliesNothingWhenAnEffectFails(_ store: any StateStore) async throws {
        let run = prefix()
        try await store.setFields(["judged": "many"], of: "\(run):counts")
        let completion = Completion(
            doneKey: "\(run):done:msg-2", result: ["ok": "1"],
            increments: [CounterIncrement(key: "\(run):counts", field: "judged", delta: 1)],
            events: [StreamAppend(stream: "\(run):events", fields: ["kind": "judged"])])
        await #expect(throws: (any Error).self) { _ = try await store.completeOnce(completion) }
        #expect(try await store.read("\(run):events", after: .start, limit: 10).isEmpty)
        #expect(try await store.fields(of: "\(run):done:msg-2").isEmpty)
    }

    /// Every check, in order.
    static func all(_ store: any StateStore) async throws {
        try await recordsAndCounters(store)
        try await leasesFenceStaleHolders(store)
        try await streamsReadAndFollow(store)
        try await completeOnceIsAtomicAndIdempotent(store)
        try await completeOnceAppliesNothingWhenAnEffectFails(store)
    }
}

@Test func inMemoryStoreKeepsTheStateContract() async throws {
    try await StateStoreConformance.all(InMemoryStateStore())
}

@Test func inMemoryLeasesFollowTheInjectedClock() async throws {
    final class ManualClock: @unchecked Sendable {  // test-only; mutated from one task at a time
        var now: UInt64 = 0
    }
    let clock = ManualClock()
    let store = InMemoryStateStore(clock: { clock.now })
    let lease = try #require(await store.acquireLease("l", holder: "a", ttlMilliseconds: 100))
    clock.now = 99
    #expect(await store.currentLease("l") == lease)
    clock.now = 100
    #expect(await store.currentLease("l") == nil)
}

@Test func redisStoreKeepsTheStateContract() async throws {
    let store = try RedisStateStore(configuration: try RedisTestServer.configuration())
    defer { store.close() }
    try await StateStoreConformance.all(store)
}

@Test func redisCompleteOnceSurvivesARaceOfManyWorkers() async throws {
    let configuration = try RedisTestServer.configuration()
    let run = StateStoreConformance.prefix()
    let completion = Completion(doneKey: "\(run):done:m", result: ["by": "someone"],
                                increments: [CounterIncrement(key: "\(run):counts", field: "n", delta: 1)])
    let outcomes = try await withThrowingTaskGroup(of: CompletionOutcome.self) { group in
        for _ in 0..<8 {
            group.addTask {
                let store = try RedisStateStore(configuration: configuration)
                defer { store.close() }
                return try await store.completeOnce(completion)
            }
        }
        return try await group.reduce(into: []) { $0.append($1) }
    }
    #expect(outcomes.filter { $0 == .completed }.count == 1)
    let store = try RedisStateStore(configuration: configuration)
    defer { store.close() }
    #expect(try await store.fields(of: "\(run):counts") == ["n": "1"])
}
