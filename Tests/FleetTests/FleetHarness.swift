import Artifacts
import Foundation
import Messaging
import State
import TestSupport
import Testing
@testable import Pipeline

/// Real processes of the fleet on the real servers, for tests: the executables built beside this test bundle, one
/// artifacts folder per harness, connections from `REASONER_AMQP_URL` / `REASONER_REDIS_URL` (what compose/test
/// exports) or the local defaults.
///
/// The fleet's queues are shared by every process on the broker, so the tests that run processes are in one
/// serialized suite (``FleetProcessTests``).
final class FleetHarness {
    let root: String
    let artifacts: ArtifactStore
    let environment: [String: String]
    let broker: AMQPBroker
    let store: RedisStateStore
    private(set) var processes: [ChildProcess] = []

    init() async throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("fleet-\(UUID().uuidString)").path
        artifacts = try ArtifactStore(root: root)
        let amqpURL = ProcessInfo.processInfo.environment["REASONER_AMQP_URL"] ?? "amqp://guest:guest@127.0.0.1:5679/%2F"
        let redisURL = ProcessInfo.processInfo.environment["REASONER_REDIS_URL"] ?? "redis://127.0.0.1:6390/0"
        environment = ["REASONER_AMQP_URL": amqpURL, "REASONER_REDIS_URL": redisURL, "REASONER_ARTIFACTS": root,
                       "OPENBLAS_NUM_THREADS": "1"]
        broker = AMQPBroker(configuration: try AMQPConfiguration(url: amqpURL))
        store = try RedisStateStore(configuration: try RedisConfiguration(url: redisURL))
        try await broker.declare(FleetTopology.standard)
        for queue in FleetTopology.standard.queues {
            _ = try await broker.purge(queue.name)
            _ = try await broker.purge(queue.deadLetterQueue)
        }
    }

    /// The path of an executable of the package.
    static func executable(_ name: String) -> String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name).path
    }

    /// Starts a role's process with some options and waits until it consumes (or, for the coordinator, until it is up).
    @discardableResult
    func start(_ role: String, _ arguments: [String] = []) async throws -> ChildProcess {
        let process = try ChildProcess(executable: Self.executable(role), arguments: arguments, environment: environment)
        processes.append(process)
        #expect(try await process.waitForOutput("consuming"), "\(role) starts: \(process.output)")
        return process
    }

    /// Runs `reasoner` with the harness's environment; returns its output (and records a failure if it failed).
    func reasoner(_ arguments: [String]) throws -> String {
        let (status, output) = try ChildProcess.run(Self.executable("reasoner"), arguments, environment: environment)
        #expect(status == 0, "reasoner \(arguments.joined(separator: " ")): \(output)")
        return output
    }

    /// Polls `condition` until it holds. The guard of 15 minutes only keeps a broken fleet from hanging CI; it is
    /// not a claim about speed.
    func waitFor(_ what: String, _ condition: () async throws -> Bool) async throws {
        let guardDeadline = ContinuousClock.now + .seconds(900)
        while try await !condition() {
            guard ContinuousClock.now < guardDeadline else {
                let logs = processes.map { $0.output }.joined(separator: "\n")
                Issue.record("gave up waiting for \(what); logs:\n\(logs)")
                throw CancellationError()
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Waits (polling the run record) until the run is done; a run that fails ends the wait at once, with its reason.
    func waitUntilDone(_ runID: String) async throws {
        try await waitFor("run \(runID) to finish") {
            let record = try await RunRecord.read(runID, from: store)
            if record?.state == .failed {
                Issue.record("run \(runID) failed: \(record?.reason ?? "")")
                throw CancellationError()
            }
            return record?.state == .done
        }
    }

    /// Waits until the run's stream holds an event of `kind`.
    func waitForEvent(_ runID: String, kind: String) async throws {
        try await waitFor("a \(kind) event of \(runID)") {
            try await store.read(StateKeys.events(runID), after: .start, limit: 10_000)
                .contains { $0.fields["kind"] == kind }
        }
    }

    /// Stops every process still running (SIGTERM) and removes the artifacts.
    func shutdown() {
        for process in processes {
            process.signal(SIGTERM)
            process.wait()
        }
        broker.shutdown()
        store.close()
        try? FileManager.default.removeItem(atPath: root)
    }
}
