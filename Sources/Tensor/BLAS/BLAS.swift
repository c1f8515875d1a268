import COpenBLAS

/// The only place in Reasoner that calls OpenBLAS: row-major single-precision GEMM and the thread setting.
///
/// Every matrix is row-major; a matrix `A` with `transA == false` is `m x k` with leading dimension `lda >= k`,
/// with `transA == true` it is stored as `k x m` (leading dimension `lda >= m`) and used transposed.
public enum BLAS {
    /// `C = alpha * op(A) * op(B) + beta * C`, with `op(A)` of shape `m x k`, `op(B)` `k x n` and `C` `m x n`.
    @inlinable
    public static func sgemm(
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
    @inlinable
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

    /// Sets the number of threads OpenBLAS uses inside one GEMM. The setting is process-wide: kernels that run
    /// their own parallel loops set it to 1 around those loops (small GEMMs are slower on 2 threads than on 1).
    public static func setThreads(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }

    /// The number of threads OpenBLAS currently uses inside one GEMM.
    public static var threads: Int { Int(openblas_get_num_threads()) }
}
