import Synchronization

/// Raw pointers handed to a parallel loop whose iterations touch disjoint memory (one (batch, head) each).
/// `@unchecked Sendable` because the disjointness is guaranteed by the indexing below, not by the type system.
struct AttentionPointers: @unchecked Sendable {
    var q, k, v, out, probs: UnsafeMutablePointer<Float>
    var dq, dk, dv: UnsafeMutablePointer<Float>?
    var scratch: UnsafeMutablePointer<Float>?
}

extension Tape {
    /// Multi-head scaled dot-product attention on `q`, `k`, `v` of shape `[B, T, D]` (heads side by side in D,
    /// `D = heads * headDim`), causal or bidirectional; returns `[B, T, D]` (heads concatenated, before the output
    /// projection). One fused kernel per (batch, head), run in parallel with single-threaded BLAS inside.
    public func attention(q: Tensor, k: Tensor, v: Tensor, heads: Int, causal: Bool) -> Tensor {
        precondition(q.shape.rank == 3 && q.shape == k.shape && q.shape == v.shape && q.shape[2] % heads == 0,
                     "attention: q \(q.shape), k \(k.shape), v \(v.shape), heads \(heads)")
        let b = q.shape[0], t = q.shape[1], d = q.shape[2], dh = d / heads
        let probs = floats.allocate(b * heads * t * t)
        let (y, yp) = result(q.shape, .attention(q: q.id, k: k.id, v: v.id, heads: heads, causal: causal,
                                                 probs: probs), q.id, k.id, v.id)
        let ptr = AttentionPointers(q: val(q.id), k: val(k.id), v: val(v.id), out: yp, probs: probs)
        let scale = 1 / Float(dh).squareRoot()
        let block = causal ? attentionRowBlock : max(t, 1)
        Self.parallelSingleThreadedBLAS(b * heads) { item in
            let bi = item / heads, h = item % heads
            let base = bi * t * d + h * dh
            let p = ptr.probs + item * t * t
            // Causal: row block [r0, r1) only sees columns [0, r1), so the GEMMs skip the masked upper triangle.
            for r0 in stride(from: 0, to: t, by: block) {
                let r1 = min(r0 + block, t), cols = causal ? r1 : t
                BLAS.sgemmOnCurrentThread(transA: false, transB: true, m: r1 - r0, n: cols, k: dh, alpha: scale,
                    a: ptr.q + base + r0 * d, lda: d, b: ptr.k + base, ldb: d, beta: 0, c: p + r0 * t, ldc: t)
                for i in r0..<r1 {
                    let row = p + i * t
                    let n = causal ? i + 1 : t
                    softmaxRow(row, row, n)
                    // Only columns below `cols` are ever read back (here and in backward).
                    if n < cols { (row + n).update(repeating: 0, count: cols - n) }
                }
                BLAS.sgemmOnCurrentThread(transA: false, transB: false, m: r1 - r0, n: dh, k: cols, alpha: 1,
                    a: p + r0 * t, lda: t, b: ptr.v + base, ldb: d, beta: 0, c: ptr.out + base + r0 * d, ldc: d)
            }
        }
        return y
    }

    func attentionBackward(_ dy: UnsafeMutablePointer<Float>, _ q: Int, _ k: Int, _ v: Int, _ heads: Int,
                           _ causal: Bool, _ probs: UnsafeMutablePointer<Float>) {
        let s = nodes[q].shape
        let b = s[0], t = s[1], d = s[2], dh = d / heads
        let scratch = floats.allocate(b * heads * t * t)
        let ptr = AttentionPointers(q: val(q), k: val(k), v: val(v), out: dy, probs: probs,
                                    dq: gradOf(q), dk: gradOf(k), dv: gradOf(v), scratch: scratch)
        let scale = 1 / Float(dh).squareRoot()
        let block = causal ? attentionRowBlock : max(t, 1)
        Self.parallelSingleThreadedBLAS(b * heads) { item in
            let bi = item / heads, h = item % heads
            let base = bi * t * d + h * dh
            let p = ptr.probs + item * t * t
            let dp = ptr.scratch! + item * t * t
            let dO = ptr.out + base
            for r0 in stride(from: 0, to: t, by: block) {
                let r1 = min(r0 + block, t), rows = r1 - r0, cols = causal ? r1 : t
                let pb = p + r0 * t, db = dp + r0 * t
                if let dv = ptr.dv {
                    BLAS.sgemmOnCurrentThread(transA: true, transB: false, m: cols, n: dh, k: rows, alpha: 1, a: pb,
                        lda: t, b: dO + r0 * d, ldb: d, beta: 1, c: dv + base, ldc: d)
                }
                guard ptr.dq != nil || ptr.dk != nil else { continue }
                BLAS.sgemmOnCurrentThread(transA: false, transB: true, m: rows, n: cols, k: dh, alpha: 1,
                    a: dO + r0 * d, lda: d, b: ptr.v + base, ldb: d, beta: 0, c: db, ldc: t)
                for i in r0..<r1 {
                    let pr = p + i * t, gr = dp + i * t
                    let n = causal ? i + 1 : t
                    var dot: Float = 0
                    for j in 0..<n { dot += pr[j] * gr[j] }
                    for j in 0..<n { gr[j] = pr[j] * (gr[j] - dot) }
                    if n < cols { (gr + n).update(repeating: 0, count: cols - n) }
                }
                if let dq = ptr.dq {
                    BLAS.sgemmOnCurrentThread(transA: false, transB: false, m: rows, n: dh, k: cols, alpha: scale,
                        a: db, lda: t, b: ptr.k + base, ldb: d, beta: 1, c: dq + base + r0 * d, ldc: d)
                }
                if let dk = ptr.dk {
                    BLAS.sgemmOnCurrentThread(transA: true, transB: false, m: cols, n: dh, k: rows, alpha: scale,
                        a: db, lda: t, b: ptr.q + base + r0 * d, ldb: d, beta: 1, c: dk + base, ldc: d)
                }
            }
        }
    }

    /// Runs `body(0..<count)` across `Parallelism.workers` cores, each item's GEMMs single-threaded on its core
    /// (per-head GEMMs are small: splitting them again would cost more than it saves).
    static func parallelSingleThreadedBLAS(_ count: Int, _ body: @Sendable (Int) -> Void) {
        ParallelKernel.depth.add(1, ordering: .relaxed)
        Parallelism.forEach(count, body)
        ParallelKernel.depth.subtract(1, ordering: .relaxed)
    }
}

/// How many parallel kernels are running: while one is, `BLAS.sgemm` does not split a GEMM across cores (its
/// callers already occupy them). Process-wide, so a kernel on one tape keeps another tape's GEMMs whole for its
/// duration; that costs speed only, never correctness.
enum ParallelKernel {
    static let depth = Atomic<Int>(0)
}
