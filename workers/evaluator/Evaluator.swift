import ArgumentParser
import Pipeline

/// `evaluator`: consumes evaluation shards from the `reasoner.evaluator` queue (and the verifier's shards from
/// `reasoner.verifier`: chains of test items scored by the DPO reward) — a student's greedy answers to a
/// slice of items in one prompt mode (CoT or direct), each judged — streams every result into the run's events (for
/// `reasoner follow`) and writes the shard's results to the artifacts volume. CPU-bound like the sampler: prefetch
/// 1, one BLAS thread when sharing a machine. SIGTERM finishes the shard in hand.
@main
struct Evaluator: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reasoner's evaluator worker: greedy CoT and direct answers, judged and streamed.")

    @Option(help: "Shards in flight at most (env REASONER_PREFETCH).")
    var prefetch = WorkerProcess.prefetch(default: 1)

    @Option(help: "Items answered together.")
    var itemsPerBatch = 16

    @Flag(help: "Check that the broker, the state store and the artifacts volume answer, then exit (0 = healthy).")
    var check = false

    func validate() throws {
        guard prefetch >= 1, itemsPerBatch >= 1 else { throw ValidationError("--prefetch and --items-per-batch must be positive") }
    }

    func run() async throws {
        if check { return try await WorkerProcess.check(role: "evaluator", queue: FleetTopology.Queue.evaluator) }
        try await WorkerProcess.serve(role: "evaluator") { fleet, logger in
            // Two queues: the evaluation shards and the verifier's (both load students and decode).
            let evaluator = Worker(role: "evaluator", queue: FleetTopology.Queue.evaluator, prefetch: prefetch,
                                   broker: fleet.broker, store: fleet.store,
                                   handler: EvalHandler(artifacts: fleet.artifacts, store: fleet.store,
                                                        itemsPerBatch: itemsPerBatch), logger: logger)
            let verifier = Worker(role: "verifier", queue: FleetTopology.Queue.verifier, prefetch: 1,
                                  broker: fleet.broker, store: fleet.store,
                                  handler: VerifierHandler(artifacts: fleet.artifacts), logger: logger)
            return ([evaluator, verifier], nil)
        }
    }
}
