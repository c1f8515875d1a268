import ArgumentParser
import Pipeline

/// `distiller`: consumes distillation batches — teacher rationale, judge against the annotation, keep — from the
/// `reasoner.distiller` queue. Connections come from the environment (see `FleetConnections`; the endpoint teacher
/// from `DistillerTeacher`); SIGTERM finishes the batch in hand, then exits.
@main
struct Distiller: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reasoner's distiller worker: teacher rationales, judged against the annotation, kept as SFT rows.")

    @Option(help: "Batches in flight at most (env REASONER_PREFETCH).")
    var prefetch = WorkerProcess.prefetch(default: 1)

    @Flag(help: "Check that the broker, the state store and the artifacts volume answer, then exit (0 = healthy).")
    var check = false

    func run() async throws {
        if check { return try await WorkerProcess.check(role: "distiller", queue: FleetTopology.Queue.distiller) }
        try await WorkerProcess.run(role: "distiller", queue: FleetTopology.Queue.distiller, prefetch: prefetch) {
            fleet -> (DistillHandler, cleanup: (@Sendable () async -> Void)?) in
            guard let endpoint = try DistillerTeacher.fromEnvironment(artifacts: fleet.artifacts, store: fleet.store)
            else { return (DistillHandler(artifacts: fleet.artifacts), cleanup: nil) }
            let http = endpoint.http
            return (DistillHandler(artifacts: fleet.artifacts, teacher: endpoint.teacher),
                    cleanup: { await http.shutdown() })
        }
    }
}
