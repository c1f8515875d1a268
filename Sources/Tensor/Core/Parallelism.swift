/// Coarse-grained parallelism for callers above the engine (e.g. decoding independent groups of sequences on
/// separate tapes).
public enum Parallelism {
    /// Runs `body(i)` for every `i` in `0..<count` on all cores and returns when all are done; OpenBLAS is kept
    /// single-threaded meanwhile, so each worker's GEMMs run on its own core instead of competing for all of them.
    public static func forEachSingleThreadedBLAS(_ count: Int, _ body: @Sendable (Int) -> Void) {
        Tape.parallelSingleThreadedBLAS(count, body)
    }
}
