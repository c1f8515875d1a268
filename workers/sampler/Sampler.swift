import ArgumentParser
import Pipeline

/// `sampler`: consumes sampling shards from the `reasoner.sampler` queue — N chains of thought per item from a
/// student checkpoint — writes them to the artifacts volume and hands each shard to the judge. CPU-bound: prefetch 1,
/// and one BLAS thread per process when several share a machine (`OPENBLAS_NUM_THREADS=1`); scale by adding
/// processes. SIGTERM finishes the shard in hand.
@main
struct Sampler: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reasoner's sampler worker: chains of thought from the student, handed to the judge.")

    @Option(help: "Shards in flight at most (env REASONER_PREFETCH).")
    var prefetch = WorkerProcess.prefetch(default: 1)

    @Option(help: "Items decoded together (1: each item's chains independent of its shard; more is faster).")
    var itemsPerBatch = 1

    @Flag(help: "Check that the broker, the state store and the artifacts volume answer, then exit (0 = healthy).")
    var check = false

    func validate() throws {
        guard prefetch >= 1, itemsPerBatch >= 1 else { throw ValidationError("--prefetch and --items-per-batch must be positive") }
    }

    func run() async throws {
        if check { return try await WorkerProcess.check(role: "sampler", queue: FleetTopology.Queue.sampler) }
        try await WorkerProcess.run(role: "sampler", queue: FleetTopology.Queue.sampler, prefetch: prefetch) { fleet in
            (SampleHandler(artifacts: fleet.artifacts, itemsPerBatch: itemsPerBatch), cleanup: nil)
        }
    }
}
