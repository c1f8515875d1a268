import COpenBLAS
import Dispatch

/// The only place in Reasoner that calls OpenBLAS: row-major single-precision GEMM and the thread setting.
///
/// Every matrix is row-major; a matrix `A` with `transA == false` is `m x k` with leading dimension `lda >= k`,
/// with `transA == true` it is stored as `k x m` (leading dimension `lda >= m`) and used transposed.
public enum BLAS {
    /// `C = alpha * op(A) * op(B) + beta * C`, with `op(A)` of shape `m x k`, `op(B)` `k x n` and `C` `m x n`.
    ///
    /// Large products are cut into blocks of `blockExtent` rows of `C` (of columns when `n > m`), each one
    /// single-threaded OpenBLAS call, and the blocks are spread over `Parallelism.workers` cores. The cut is a
    /// function of the shape alone: OpenBLAS rounds an element differently depending on where it falls in the call
    /// (measured: splitting a 256-row product at row 128 changes ~2,400 of its elements in the last bit), so a cut
    /// that followed the worker count, or whether another tape's parallel kernel was running, made training
    /// results depend on timing. Now the same operands give the same bits on any number of cores, inside a
    /// parallel kernel (blocks then run one after the other on the current thread) or not.
    public static func sgemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        let blocks = blockCount(m: m, n: n, k: k)
        guard blocks > 1 else {
            sgemmOnCurrentThread(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                                 b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            return
        }
        let operands = GEMMOperands(a: a, b: b, c: c)
        let splitRows = m >= n
        let block: @Sendable (Int) -> Void = { index in
            let lo = index * blockExtent, hi = min(lo + blockExtent, splitRows ? m : n)
            if splitRows {  // rows lo..<hi of op(A) and of C
                sgemmOnCurrentThread(transA: transA, transB: transB, m: hi - lo, n: n, k: k, alpha: alpha,
                                     a: operands.a + (transA ? lo : lo * lda), lda: lda, b: operands.b, ldb: ldb,
                                     beta: beta, c: operands.c + lo * ldc, ldc: ldc)
            } else {  // columns lo..<hi of op(B) and of C
                sgemmOnCurrentThread(transA: transA, transB: transB, m: m, n: hi - lo, k: k, alpha: alpha,
                                     a: operands.a, lda: lda, b: operands.b + (transB ? lo * ldb : lo), ldb: ldb,
                                     beta: beta, c: operands.c + lo, ldc: ldc)
            }
        }
        if insideParallelKernel {
            for index in 0..<blocks { block(index) }
        } else {
            Parallelism.forEach(blocks, block)
        }
    }

    /// Rows (or columns) of `C` per block of a large GEMM. Fixed, so that results never depend on the cores.
    static let blockExtent = 128

    /// How many blocks `sgemm` cuts an `m x n x k` product into: one below about 2^18 multiply-adds (a dispatch
    /// costs more than it saves there), otherwise one per `blockExtent` rows of `C` (columns when `n > m`).
    static func blockCount(m: Int, n: Int, k: Int) -> Int {
        guard m * n * k >= 1 << 18 else { return 1 }
        return (max(m, n) + blockExtent - 1) / blockExtent
    }

    /// `sgemm` as one single-threaded OpenBLAS call on the calling thread (what each worker of a parallel kernel
    /// uses).
    static func sgemmOnCurrentThread(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard m > 0, n > 0 else { return }
        if k == 0 {
            // OpenBLAS would still scale C; do the same explicitly so the k == 0 edge case is well defined.
            for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
            return
        }
        cblas_sgemm(
            CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
            blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }

    /// `batch` independent GEMMs whose operands start `strideA`, `strideB` and `strideC` floats apart
    /// (the loop form of a strided batched GEMM; each call uses the library's current thread count).
    public static func sgemmStridedBatched(
        batch: Int, transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, strideA: Int, b: UnsafePointer<Float>, ldb: Int, strideB: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, strideC: Int
    ) {
        for i in 0..<batch {
            sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                  a: a + i * strideA, lda: lda, b: b + i * strideB, ldb: ldb,
                  beta: beta, c: c + i * strideC, ldc: ldc)
        }
    }

    /// Sets the number of cores one GEMM (and every other parallel kernel) uses: the same setting as
    /// `Parallelism.setWorkers`. OpenBLAS itself always runs on one thread; the engine splits the work.
    public static func setThreads(_ count: Int) {
        Parallelism.setWorkers(count)
    }

    /// The number of cores one GEMM uses (`Parallelism.workers`).
    public static var threads: Int { Parallelism.workers }

    /// True on the threads of a parallel kernel (attention's per-head loop, decoding shards), whose GEMMs run
    /// their blocks one after the other.
    static var insideParallelKernel: Bool { ParallelKernel.active }
}

/// GEMM operands handed to the workers of `BLAS.sgemm`: each worker writes a disjoint block of `c` and only reads
/// `a` and `b`, and the caller waits for all of them; `@unchecked Sendable` only tells the compiler so.
struct GEMMOperands: @unchecked Sendable {
    let a: UnsafePointer<Float>
    let b: UnsafePointer<Float>
    let c: UnsafeMutablePointer<Float>
}
