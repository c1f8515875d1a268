import Artifacts
import Logging
import Messaging
import ServiceLifecycle
import State

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

    /// Runs the distill stage with `workers` distillers consuming the batches concurrently.
    public func distill(_ stage: DistillStage, workers: Int, progress: @escaping @Sendable (Int, Int) -> Void) async throws {
        try await broker.declare(FleetTopology.standard)
        let distillers = (0..<max(1, workers)).map { _ in
            Worker(role: "distiller", queue: FleetTopology.Queue.distiller, prefetch: 1, broker: broker, store: store,
                   handler: DistillHandler(artifacts: artifacts), logger: logger)
        }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: distillers, logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await stage.enqueue(on: broker)
            try await stage.waitUntilDone(store: store, progress: progress)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }
}
