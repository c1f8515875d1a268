import Foundation
import TestSupport
import Testing
@testable import State

/// A Redis of the test's own (its own port and folder, through `compose/services`, with its append-only file), so
/// the test can stop and restart it without disturbing the shared one.
private struct ScratchRedis {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("redis-\(UUID().uuidString.prefix(8))").path
    let port = 6500 + Int.random(in: 0..<400)
    private let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("compose/services").path

    var configuration: RedisConfiguration {
        get throws {
            var configuration = try RedisConfiguration(url: "redis://127.0.0.1:\(port)/0")
            configuration.commandTimeout = .seconds(2)
            return configuration
        }
    }

    func run(_ verb: String) throws {
        let (status, output) = try ChildProcess.run(script, [verb, "redis"], environment: [
            "REASONER_SERVICES_DIR": folder, "REASONER_REDIS_PORT": String(port),
        ])
        guard status == 0 else {
            Issue.record("compose/services \(verb) redis failed (status \(status)): \(output)")
            throw CancellationError()
        }
    }

    func remove() {
        try? run("stop")
        try? FileManager.default.removeItem(atPath: folder)
    }
}

/// The store rides out a Redis restart: commands issued while it is down wait and then succeed, and what was
/// written before the restart is still there (the append-only file).
@Test func theStoreWaitsThroughARedisRestartAndKeepsItsData() async throws {
    let redis = ScratchRedis()
    try redis.run("start")
    defer { redis.remove() }
    let store = try RedisStateStore(configuration: try redis.configuration)
    defer { store.close() }
    try await store.setFields(["state": "running"], of: "run:r1")
    _ = try await store.increment("steps", of: "run:r1:counters", by: 2)
    let before = try await store.completeOnce(Completion(doneKey: "run:r1:done:m1", result: ["ok": "1"]))
    #expect(before == .completed)

    try redis.run("stop")
    // Issued while Redis is down: it waits for the restart instead of failing (or stopping the worker).
    let waiting = Task { try await store.fields(of: "run:r1") }
    let increment = Task { try await store.increment("steps", of: "run:r1:counters", by: 1) }
    try await Task.sleep(for: .milliseconds(500))
    try redis.run("start")
    #expect(try await waiting.value == ["state": "running"], "the record survived the restart")
    #expect(try await increment.value == 3, "a command not yet sent is sent once, after the restart")
    #expect(try await store.completeOnce(Completion(doneKey: "run:r1:done:m1", result: ["ok": "2"]))
            == .alreadyCompleted(result: ["ok": "1"]), "done-marks survive: redelivered work stays done")
}
