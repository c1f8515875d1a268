import COpenBLAS
import Dispatch
import Foundation
import Synchronization

/// The engine's one thread setting: how many cores its kernels use. Large GEMMs are split into this many blocks,
/// attention runs this many (batch, head) items at a time and element-wise loops use this many ranges.
///
/// OpenBLAS itself is pinned to one thread: OpenBLAS 0.3.21 on two threads is slower than one below about
/// 256 x 256 x 64, its idle workers spin and steal the cores the next parallel loop needs, and the engine's own
/// static split of a GEMM into row or column blocks costs less on these shapes.
///
/// The default is `OPENBLAS_NUM_THREADS` when set (so several workers sharing a machine can each take one
/// core), otherwise the number of active processors. Results do not depend on timing, only on this number: the
/// same seed and setting give bit-identical results run to run.
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

    /// Runs `body(i)` for every `i` in `0..<count`, on `workers` cores when there are several, inline otherwise.
    static func forEach(_ count: Int, _ body: @Sendable (Int) -> Void) {
        if workers > 1 && count > 1 {
            DispatchQueue.concurrentPerform(iterations: count, execute: body)
        } else {
            for i in 0..<count { body(i) }
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
