import Artifacts
import Logging
import Messaging
import ServiceLifecycle
import State
import Teacher

/// The embedded mode: the coordinator's stages and the workers in one process, over the in-process broker and
/// state store, with the same worker code the fleet runs as separate executables.
public struct EmbeddedFleet: Sendable {
    /// The in-process broker.
    public let broker = InMemoryBroker()
    /// The in-memory state.
    public let store = InMemoryStateStore()
    /// The artifacts folder.
    public let artifacts: ArtifactStore
    private let logger: Logger

    /// A fleet writing artifacts under `artifacts`.
    public init(artifacts: ArtifactStore, logger: Logger) {
        self.artifacts = artifacts
        self.logger = logger
    }

    /// Runs the distill stage with `workers` distillers consuming the batches concurrently; with a budget, stops
    /// enqueuing once the run's teacher cost reaches it. Returns how many batches ran.
    @discardableResult
    public func distill(_ stage: DistillStage, workers: Int, teacher: ChatTeacher? = nil, budgetDollars: Double? = nil,
                        progress: @escaping @Sendable (Int, Int) -> Void) async throws -> Int {
        try await broker.declare(FleetTopology.standard)
        let distillers = (0..<max(1, workers)).map { _ in
            Worker(role: "distiller", queue: FleetTopology.Queue.distiller, prefetch: 1, broker: broker, store: store,
                   handler: DistillHandler(artifacts: artifacts, teacher: teacher), logger: logger)
        }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: distillers, logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let ran: Int
            if let budgetDollars {
                ran = try await stage.runWithinBudget(budgetDollars, broker: broker, store: store, progress: progress)
            } else {
                try await stage.enqueue(on: broker)
                try await stage.waitUntilDone(store: store, progress: progress)
                ran = try stage.batches().count
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return ran
        }
    }
}
