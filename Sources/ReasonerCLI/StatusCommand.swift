import ArgumentParser
import Messaging
import Pipeline
import State

/// `reasoner status RUN`: a run's counters (distillation, teacher tokens and cost) and the fleet's queue depths,
/// read from the Redis and RabbitMQ the environment names (`REASONER_REDIS_URL`, `REASONER_AMQP_URL`).
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a run's counters and the fleet's queue depths (servers from REASONER_REDIS_URL, REASONER_AMQP_URL).")

    @Argument(help: "The run id.")
    var runID: String

    func run() async throws {
        let store = try RedisStateStore(configuration: try RedisConfiguration.fromEnvironment())
        defer { store.close() }
        let broker = AMQPBroker(configuration: try AMQPConfiguration.fromEnvironment())
        defer { broker.shutdown() }
        let status = try await RunStatus.read(runID: runID, store: store, broker: broker)
        print("run \(runID)")
        print(status.report)
    }
}
