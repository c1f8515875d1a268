import Foundation
import Logging
import ServiceLifecycle

/// The body of every worker executable: connect from the environment, declare the fleet's topology, consume one
/// role's queue until SIGTERM or SIGINT (finishing the message in hand), then close the connections.
public enum WorkerProcess {
    /// Runs `role` on `queue` with the handler `makeHandler` builds from the process's connections; the handler's
    /// own resources are released by the `cleanup` it returns (if any) after the last message.
    public static func run<Handler: MessageHandler>(
        role: String, queue: String, prefetch: Int,
        makeHandler: (FleetConnections) throws -> (Handler, cleanup: (@Sendable () async -> Void)?)
    ) async throws {
        try await serve(role: role) { fleet, logger in
            let (handler, cleanup) = try makeHandler(fleet)
            let worker = Worker(role: role, queue: queue, prefetch: prefetch, broker: fleet.broker, store: fleet.store,
                                handler: handler, logger: logger)
            return ([worker], cleanup)
        }
    }

    /// Runs the services `makeServices` builds from the process's connections (a worker, or the coordinator's loop
    /// beside its worker) until SIGTERM or SIGINT, then runs `cleanup` and closes the connections.
    public static func serve(
        role: String,
        makeServices: (FleetConnections, Logger) throws -> ([any Service], cleanup: (@Sendable () async -> Void)?)
    ) async throws {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        let logger = Logger(label: "reasoner.\(role)")
        try EnvironmentSettings.validate()
        let fleet = try FleetConnections.fromEnvironment(role: role)
        try await fleet.broker.declare(FleetTopology.standard)
        let (services, cleanup) = try makeServices(fleet, logger)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: (services + [Presence(role: role, store: fleet.store)]).map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        await cleanup?()
        fleet.broker.shutdown()
        fleet.store.close()
    }

    /// The health check of a worker container: the broker answers for the role's queue, the state store answers,
    /// and the artifacts volume is writable. Throws (so the command exits non-zero) if any is not.
    public static func check(role: String, queue: String) async throws {
        let fleet = try FleetConnections.fromEnvironment(role: "\(role) health check")
        defer {
            fleet.broker.shutdown()
            fleet.store.close()
        }
        _ = try await fleet.broker.depth(of: queue)
        _ = try await fleet.store.fields(of: "reasoner:health")
        guard access(fleet.artifacts.root, W_OK) == 0 else {
            throw FleetConfigurationError.missing("REASONER_ARTIFACTS", "\(fleet.artifacts.root) is not writable")
        }
    }

    /// `REASONER_PREFETCH` from the environment, or `fallback` (an unusable value is reported when the process
    /// starts: `EnvironmentSettings.validate`).
    public static func prefetch(default fallback: Int) -> Int {
        (try? EnvironmentSettings.integer("REASONER_PREFETCH", default: fallback)) ?? fallback
    }
}
