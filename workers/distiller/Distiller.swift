import ArgumentParser
import Foundation
import Logging
import Pipeline
import ServiceLifecycle

/// `distiller`: consumes distillation batches — teacher rationale, judge against the annotation, keep — from the
/// `reasoner.distiller` queue. Connections come from the environment (see `FleetConnections`); SIGTERM finishes the
/// batch in hand, then exits.
@main
struct Distiller: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reasoner's distiller worker: teacher rationales, judged against the annotation, kept as SFT rows.")

    @Option(help: "Batches in flight at most (env REASONER_PREFETCH).")
    var prefetch = Int(ProcessInfo.processInfo.environment["REASONER_PREFETCH"] ?? "") ?? 1

    func run() async throws {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        let logger = Logger(label: "reasoner.distiller")
        let fleet = try FleetConnections.fromEnvironment(role: "distiller")
        let teacher = try DistillerTeacher.fromEnvironment(artifacts: fleet.artifacts, store: fleet.store)
        try await fleet.broker.declare(FleetTopology.standard)
        let worker = Worker(role: "distiller", queue: FleetTopology.Queue.distiller, prefetch: prefetch,
                            broker: fleet.broker, store: fleet.store,
                            handler: DistillHandler(artifacts: fleet.artifacts, teacher: teacher?.teacher), logger: logger)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [worker], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        await teacher?.http.shutdown()
        fleet.broker.shutdown()
        fleet.store.close()
    }
}
