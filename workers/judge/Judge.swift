import ArgumentParser
import Pipeline

/// `judge`: consumes shards of sampled chains from the `reasoner.judge` queue, scores every chain against its
/// item's annotation and writes the DPO pairs of the questions in the accuracy window. Light work: prefetch 8 by
/// default. Connections come from the environment (see `FleetConnections`); SIGTERM finishes the shard in hand.
@main
struct Judge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reasoner's judge worker: sampled chains scored against the annotation, pairs for DPO.")

    @Option(help: "Shards in flight at most (env REASONER_PREFETCH).")
    var prefetch = WorkerProcess.prefetch(default: 8)

    @Flag(help: "Check that the broker, the state store and the artifacts volume answer, then exit (0 = healthy).")
    var check = false

    func run() async throws {
        if check { return try await WorkerProcess.check(role: "judge", queue: FleetTopology.Queue.judge) }
        try await WorkerProcess.run(role: "judge", queue: FleetTopology.Queue.judge, prefetch: prefetch) { fleet in
            (JudgeHandler(artifacts: fleet.artifacts), cleanup: nil)
        }
    }
}
