import COpenBLAS
import Dispatch
import Foundation
import Synchronization

/// The engine's one thread setting: how many cores its kernels use. Large GEMMs are cut into blocks that this many
/// cores share, attention runs this many (batch, head) items at a time and element-wise loops use this many ranges.
///
/// OpenBLAS itself is pinned to one thread: OpenBLAS 0.3.21 on two threads is slower than one below about
/// 256 x 256 x 64, its idle workers spin and steal the cores the next parallel loop needs, and the engine's own
/// split of a GEMM into blocks costs less on these shapes.
///
/// The default is `OPENBLAS_NUM_THREADS` when set (so several workers sharing a machine can each take one
/// core), otherwise the number of active processors.
///
/// Determinism: results depend neither on timing nor on this number. Every parallel loop of the engine cuts its
/// work by the shape alone (GEMM blocks of `BLAS.blockExtent`, one attention item per (batch, head), element-wise
/// ranges whose elements are independent) and never lets two items write one value, so the same seed gives the
/// same bits with 1, 2 or 3 workers, loaded or idle (`DeterminismStressTests` checks it under a CPU hog). Generation
/// and scoring cut their batches by fixed sizes too. What the guarantee does not cover: another CPU kind (OpenBLAS
/// picks its kernels per CPU, see `OPENBLAS_CORETYPE`), another build (debug and release compile the SIMD loops
/// differently) or another OpenBLAS version.
public enum Parallelism {
    private static let count: Atomic<Int> = {
        openblas_set_num_threads(1)
        return Atomic(defaultWorkers(environment: ProcessInfo.processInfo.environment,
                                     processors: ProcessInfo.processInfo.activeProcessorCount))
    }()

    /// The cores the engine's kernels use (at least 1).
    public static var workers: Int { count.load(ordering: .relaxed) }

    /// Sets the cores the engine's kernels use (values below 1 mean 1). Process-wide.
    public static func setWorkers(_ workers: Int) {
        count.store(max(1, workers), ordering: .relaxed)
    }

    /// `OPENBLAS_NUM_THREADS` if it is a positive integer, otherwise `processors`.
    static func defaultWorkers(environment: [String: String], processors: Int) -> Int {
        if let text = environment["OPENBLAS_NUM_THREADS"], let n = Int(text), n > 0 { return n }
        return max(1, processors)
    }

    /// Runs `body(i)` for every `i` in `0..<count` on up to `workers` threads (the caller's among them), inline
    /// when there is one worker or one item. Threads take the next unclaimed index, so a core that another process
    /// slows down hands its share to the others; the items must be independent, so which thread runs one changes
    /// nothing.
    static func forEach(_ count: Int, _ body: @Sendable (Int) -> Void) {
        let threads = min(workers, count)
        guard threads > 1 else {
            for i in 0..<count { body(i) }
            return
        }
        let next = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            while true {
                let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard i < count else { return }
                body(i)
            }
        }
    }
}

extension Parallelism {
    /// Runs `body(i)` for every `i` in `0..<count` on all cores and returns when all are done; OpenBLAS is kept
    /// single-threaded meanwhile, so each worker's GEMMs run on its own core instead of competing for all of them.
    /// For callers above the engine (decoding independent groups of sequences on separate tapes).
    public static func forEachSingleThreadedBLAS(_ count: Int, _ body: @Sendable (Int) -> Void) {
        Tape.parallelSingleThreadedBLAS(count, body)
    }
}
