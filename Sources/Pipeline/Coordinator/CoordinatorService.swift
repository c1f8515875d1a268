import ServiceLifecycle

/// The coordinator as a service: advances every active run each `interval` until graceful shutdown. Wake-ups on the
/// coordinator's queue (a run submitted) come through a ``Worker`` running ``RunSubmissionHandler`` beside it.
public struct CoordinatorService: Service {
    private let coordinator: Coordinator
    private let interval: Duration

    /// A service ticking `coordinator` every `interval`.
    public init(coordinator: Coordinator, interval: Duration = .seconds(1)) {
        self.coordinator = coordinator
        self.interval = interval
    }

    /// Ticks until graceful shutdown or cancellation.
    public func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            try await coordinator.advanceAll()
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch is CancellationError {
                break
            }
        }
    }
}
