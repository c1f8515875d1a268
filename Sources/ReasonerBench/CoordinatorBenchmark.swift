import ArgumentParser
import Foundation
import Logging
import Messaging
import Pipeline
import ServiceLifecycle
import State

/// `reasoner-bench coordinator`: what the coordinator adds per message. One stage of N no-op messages runs through
/// in-process workers on the real RabbitMQ and Redis twice: driven by the ``Coordinator`` (plan, publish, watch the
/// done-marks, advance), and published directly with the caller polling the run's counter (the floor: the
/// broker round trip and the worker's once-only bookkeeping). Prints both, the coordinator's own time per message,
/// and the ratio.
struct CoordinatorBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coordinator",
        abstract: "Coordinator overhead per message on the real servers: a stage driven by the coordinator vs direct.")

    @Option(help: "Messages in the stage.")
    var messages = 2_000

    @Option(help: "Workers consuming concurrently (in this process).")
    var workers = 4

    @Option(help: "Milliseconds between coordinator passes.")
    var interval = 50

    func validate() throws {
        guard messages > 0, workers > 0, interval > 0 else {
            throw ValidationError("--messages, --workers and --interval must be positive")
        }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let broker = AMQPBroker(configuration: try AMQPConfiguration(
            url: environment["REASONER_AMQP_URL"] ?? "amqp://guest:guest@127.0.0.1:5679/%2F"))
        defer { broker.shutdown() }
        let store = try RedisStateStore(configuration: try RedisConfiguration(
            url: environment["REASONER_REDIS_URL"] ?? "redis://127.0.0.1:6390/0"))
        defer { store.close() }
        let topology = Topology(workExchange: "bench.work", eventsExchange: "bench.events",
                                deadLetterExchange: "bench.dlx",
                                queues: [QueueDeclaration(name: "bench.coordinator-noop", deliveryLimit: 3)])
        try await broker.declare(topology)
        _ = try await broker.purge("bench.coordinator-noop")
        print("coordinator: \(messages) no-op messages, \(workers) workers, passes every \(interval) ms, "
              + "RabbitMQ + Redis on loopback")
        let direct = try await timeStage(broker: broker, store: store, topology: topology, coordinated: false)
        let coordinated = try await timeStage(broker: broker, store: store, topology: topology, coordinated: true)
        func perMessage(_ duration: Duration) -> String {
            String(format: "%.3f ms", duration / .milliseconds(1) / Double(messages))
        }
        print("direct (publish, poll the counter):   \(perMessage(direct.wall)) per message wall")
        print("coordinated (plan, publish, advance): \(perMessage(coordinated.wall)) per message wall, "
              + "coordinator's own time \(perMessage(coordinated.coordinator)) per message")
        print(String(format: "ratio coordinated / direct wall: %.2f×", coordinated.wall / direct.wall))
    }

    private func timeStage(broker: AMQPBroker, store: RedisStateStore, topology: Topology,
                           coordinated: Bool) async throws -> (wall: Duration, coordinator: Duration) {
        let runID = "bench-coordinator-\(UUID().uuidString.prefix(8))"
        let logger = Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() }
        let planner = NoOpPlanner(count: messages, topology: topology)
        let services = (0..<workers).map { _ in
            Worker(role: "bench", queue: "bench.coordinator-noop", prefetch: 16, broker: broker, store: store,
                   handler: NoOpHandler(), logger: logger)
        }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: services, logger: logger))
        let clock = ContinuousClock()
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let start = clock.now
            var inside = Duration.zero
            if coordinated {
                let coordinator = Coordinator(broker: broker, store: store, logger: logger) { _ in planner }
                try await Coordinator.submit(runID: runID, pipeline: "bench", store: store)
                while true {
                    let passStart = clock.now
                    let record = try await coordinator.advance(runID)
                    inside += clock.now - passStart
                    if record?.state == .done { break }
                    try await Task.sleep(for: .milliseconds(interval))
                }
            } else {
                try await broker.publish(try planner.plan(stage: "noop", runID: runID).messages)
                while Int(try await store.fields(of: StateKeys.counters(runID))["noop"] ?? "0") ?? 0 < messages {
                    try await Task.sleep(for: .milliseconds(interval))
                }
            }
            let wall = clock.now - start
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return (wall, inside)
        }
    }
}

/// The benchmark's message: nothing to do.
private struct NoOp: WorkMessage {
    static let typeName = "bench.noop"
    static let schemaVersion = 1
    var index: Int
}

/// Counts the message in the run's counters and returns.
private struct NoOpHandler: MessageHandler {
    func handle(_ message: NoOp, context: HandlerContext) async throws -> HandlerOutcome {
        HandlerOutcome(increments: [CounterIncrement(key: StateKeys.counters(context.runID), field: "noop", delta: 1)])
    }
}

/// One stage of `count` no-op messages.
private struct NoOpPlanner: RunPlanner {
    let count: Int
    let topology: Topology
    var stages: [String] { ["noop"] }

    func plan(stage: String, runID: String) async throws -> StagePlan {
        StagePlan(stage: stage, messages: try (0..<count).map { index in
            OutgoingMessage(exchange: topology.workExchange, routingKey: "bench.coordinator-noop",
                            envelope: try Envelope(NoOp(index: index), id: "\(runID).\(index)", runID: runID))
        })
    }
}
