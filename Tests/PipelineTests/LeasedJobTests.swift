import Logging
import State
import Testing
@testable import Pipeline

private let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

@Test func aLongJobOutlivesItsTTLWhileTheKeeperRenews() async throws {
    let store: any StateStore = InMemoryStateStore()
    // A TTL of 2 s renewed every 0.67 s: only a stall of the keeper for over a second (on a saturated machine)
    // could lose it, while the job runs for two and a half TTLs.
    let outcome = try await LeasedJob.run("job", holder: "a", ttlMilliseconds: 2_000, store: store, logger: logger) { _ in
        try await Task.sleep(for: .milliseconds(5_000))
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
