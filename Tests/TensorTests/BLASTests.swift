import Foundation
import Testing
@testable import Tensor

/// The GEMM wrapper against a naive triple loop: all four transpose cases, non-square shapes, padded leading
/// dimensions and beta != 0.
@Suite struct BLASTests {
    func naive(_ tA: Bool, _ tB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float, _ a: [Float], _ lda: Int,
               _ b: [Float], _ ldb: Int, _ beta: Float, _ c: [Float], _ ldc: Int) -> [Float] {
        var out = c
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for p in 0..<k {
                    let av = tA ? a[p * lda + i] : a[i * lda + p]
                    let bv = tB ? b[j * ldb + p] : b[p * ldb + j]
                    s += Double(av) * Double(bv)
                }
                out[i * ldc + j] = Float(Double(alpha) * s + Double(beta) * Double(c[i * ldc + j]))
            }
        }
        return out
    }

    @Test(arguments: [(false, false), (false, true), (true, false), (true, true)])
    func sgemmMatchesNaiveLoop(transposes: (Bool, Bool)) {
        let (tA, tB) = transposes
        let m = 5, n = 7, k = 3
        let lda = (tA ? m : k) + 2, ldb = (tB ? k : n) + 1, ldc = n + 3
        var rng = SplitMix64(seed: 42)
        let a = (0..<((tA ? k : m) * lda)).map { _ in rng.nextUniform() - 0.5 }
        let b = (0..<((tB ? n : k) * ldb)).map { _ in rng.nextUniform() - 0.5 }
        let c0 = (0..<(m * ldc)).map { _ in rng.nextUniform() - 0.5 }
        let expected = naive(tA, tB, m, n, k, 1.5, a, lda, b, ldb, 0.75, c0, ldc)
        var c = c0
        c.withUnsafeMutableBufferPointer { cp in
            BLAS.sgemm(transA: tA, transB: tB, m: m, n: n, k: k, alpha: 1.5, a: a, lda: lda, b: b, ldb: ldb,
                       beta: 0.75, c: cp.baseAddress!, ldc: ldc)
        }
        for i in 0..<c.count { #expect(abs(c[i] - expected[i]) < 1e-5, "element \(i)") }
    }

    /// The engine's cut of a large GEMM into blocks of rows (m >= n) or columns (n > m), against the naive loop,
    /// and the same bits whatever the worker count and inside a parallel kernel (blocks run in turn there).
    @Test(arguments: [(false, false), (false, true), (true, false), (true, true)])
    func blockedSgemmMatchesNaiveLoopAndIgnoresTheCores(transposes: (Bool, Bool)) {
        let (tA, tB) = transposes
        for (m, n, k) in [(300, 40, 30), (40, 301, 25)] {
            #expect(BLAS.blockCount(m: m, n: n, k: k) == 3)
            let lda = (tA ? m : k) + 1, ldb = (tB ? k : n) + 2, ldc = n + 1
            var rng = SplitMix64(seed: 43)
            let a = (0..<((tA ? k : m) * lda)).map { _ in rng.nextUniform() - 0.5 }
            let b = (0..<((tB ? n : k) * ldb)).map { _ in rng.nextUniform() - 0.5 }
            let c0 = (0..<(m * ldc)).map { _ in rng.nextUniform() - 0.5 }
            let expected = naive(tA, tB, m, n, k, 0.5, a, lda, b, ldb, 1, c0, ldc)
            func product(workers: Int, insideKernel: Bool = false) -> [Float] {
                let previous = Parallelism.workers
                Parallelism.setWorkers(workers)
                defer { Parallelism.setWorkers(previous) }
                var c = c0
                c.withUnsafeMutableBufferPointer { cp in
                    let out = cp.baseAddress!
                    func call() {
                        BLAS.sgemm(transA: tA, transB: tB, m: m, n: n, k: k, alpha: 0.5, a: a, lda: lda, b: b,
                                   ldb: ldb, beta: 1, c: out, ldc: ldc)
                    }
                    if insideKernel { ParallelKernel.run(call) } else { call() }
                }
                return c
            }
            let c = product(workers: 2)
            for i in 0..<c.count { #expect(abs(c[i] - expected[i]) < 1e-5, "\(m)x\(n)x\(k) element \(i)") }
            let bits = c.map(\.bitPattern)
            for workers in [1, 3] { #expect(product(workers: workers).map(\.bitPattern) == bits, "\(workers) workers") }
            #expect(product(workers: 2, insideKernel: true).map(\.bitPattern) == bits, "inside a parallel kernel")
        }
    }

    @Test func workersDefaultToOpenBLASNumThreadsThenToTheProcessorCount() {
        #expect(Parallelism.defaultWorkers(environment: ["OPENBLAS_NUM_THREADS": "1"], processors: 2) == 1)
        #expect(Parallelism.defaultWorkers(environment: ["OPENBLAS_NUM_THREADS": "zero"], processors: 2) == 2)
        #expect(Parallelism.defaultWorkers(environment: [:], processors: 4) == 4)
        #expect(Parallelism.defaultWorkers(environment: [:], processors: 0) == 1)
    }

    @Test func stridedBatchedMatchesPerBatchLoop() {
        let batch = 3, m = 4, n = 2, k = 6
        var rng = SplitMix64(seed: 7)
        let a = (0..<(batch * m * k)).map { _ in rng.nextUniform() }
        let b = (0..<(batch * k * n)).map { _ in rng.nextUniform() }
        let c0 = (0..<(batch * m * n)).map { _ in rng.nextUniform() }
        var c = c0
        c.withUnsafeMutableBufferPointer { cp in
            BLAS.sgemmStridedBatched(batch: batch, transA: false, transB: false, m: m, n: n, k: k, alpha: 1,
                                     a: a, lda: k, strideA: m * k, b: b, ldb: n, strideB: k * n,
                                     beta: 2, c: cp.baseAddress!, ldc: n, strideC: m * n)
        }
        for i in 0..<batch {
            let e = naive(false, false, m, n, k, 1, Array(a[(i * m * k)...]), k, Array(b[(i * k * n)...]), n, 2,
                          Array(c0[(i * m * n)..<((i + 1) * m * n)]), n)
            for j in 0..<(m * n) { #expect(abs(c[i * m * n + j] - e[j]) < 1e-5) }
        }
    }
}

/// The vectorised exp and tanh used by GELU, SiLU, softmax and the losses.
@Suite struct FastMathTests {
    @Test func fastExpAndTanhMatchLibm() {
        var worstExp = 0.0, worstTanh = 0.0
        var x: Float = -87
        while x < 88 {
            let ref = Foundation.exp(Double(x))
            worstExp = max(worstExp, abs(Double(fastExp(SIMD8(repeating: x))[0]) - ref) / ref)
            x += 0.0137
        }
        x = -10
        while x < 10 {
            worstTanh = max(worstTanh, abs(Double(fastTanh(SIMD8(repeating: x))[0]) - Foundation.tanh(Double(x))))
            x += 0.001
        }
        #expect(worstExp < 3e-7)
        #expect(worstTanh < 5e-7)
    }
}
