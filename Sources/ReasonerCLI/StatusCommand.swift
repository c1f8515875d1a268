import ArgumentParser
import Messaging
import Pipeline
import State

/// `reasoner status [RUN]`: a run's stage, counters (distillation, teacher tokens and cost) and the fleet's queue
/// depths — or, without a run, every submitted run and where it is — read from the Redis and RabbitMQ the
/// environment names (`REASONER_REDIS_URL`, `REASONER_AMQP_URL`).
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a run's stage, counters and the fleet's queue depths, or list the runs (servers from "
            + "REASONER_REDIS_URL, REASONER_AMQP_URL).")

    @Argument(help: "The run id; without it, every run.")
    var runID: String?

    func run() async throws {
        let store = try RedisStateStore(configuration: try RedisConfiguration.fromEnvironment())
        defer { store.close() }
        guard let runID else {
            for (run, _) in try await store.fields(of: StateKeys.runs).sorted(by: { $0.key < $1.key }) {
                let record = try await RunRecord.read(run, from: store)
                print("\(run)  \(record?.state.rawValue ?? "?")  \(record?.stage ?? "")"
                      + (record?.state == .failed ? "  \(record?.reason ?? "")" : ""))
            }
            return
        }
        let broker = AMQPBroker(configuration: try AMQPConfiguration.fromEnvironment())
        defer { broker.shutdown() }
        let status = try await RunStatus.read(runID: runID, store: store, broker: broker)
        let record = try await RunRecord.read(runID, from: store)
        print("run \(runID): \(record.map { "\($0.state.rawValue) \($0.stage ?? "")" } ?? "not submitted through the coordinator")")
        if let record, record.state == .failed {
            print("failed: \(record.reason)\nfix the cause, then `reasoner retry \(runID)`")
        }
        print(status.report)
        let seen = try await Presence.seen(in: store)
        print("workers seen in the last minute: \(seen.isEmpty ? "none" : "")")
        for worker in seen { print("  \(worker.name) (\(worker.ago) s ago)") }
        if record?.state == .failed { throw ExitCode(1) }
    }
}
