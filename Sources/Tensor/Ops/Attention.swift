import Foundation

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
        let dq = gradTarget(q), dk = gradTarget(k), dv = gradTarget(v)
        guard dq != nil || dk != nil || dv != nil else { return }
        // Gradient buffers reached here for the first time are zeroed slice by slice inside the parallel loop.
        let zeroFirst = (q: dq.map { !$0.accumulate } ?? false, k: dk.map { !$0.accumulate } ?? false,
                         v: dv.map { !$0.accumulate } ?? false)
        // A few items per worker, each with a t x t scratch that stays in cache (not one per (batch, head)).
        let items = b * heads, chunks = min(items, 4 * Parallelism.workers)
        let scratch = floats.allocate(chunks * t * t)
        let ptr = AttentionPointers(q: val(q), k: val(k), v: val(v), out: dy, probs: probs,
                                    dq: dq?.pointer, dk: dk?.pointer, dv: dv?.pointer, scratch: scratch)
        let scale = 1 / Float(dh).squareRoot()
        let block = causal ? attentionRowBlock : max(t, 1)
        Self.parallelSingleThreadedBLAS(chunks) { chunk in
            let dp = ptr.scratch! + chunk * t * t
            for item in (items * chunk / chunks)..<(items * (chunk + 1) / chunks) {
                let bi = item / heads, h = item % heads
                let base = bi * t * d + h * dh
                if zeroFirst.q { Self.zeroHead(ptr.dq! + base, rows: t, stride: d, width: dh) }
                if zeroFirst.k { Self.zeroHead(ptr.dk! + base, rows: t, stride: d, width: dh) }
                if zeroFirst.v { Self.zeroHead(ptr.dv! + base, rows: t, stride: d, width: dh) }
                Self.attentionBackwardItem(ptr, base: base, probs: ptr.probs + item * t * t, scratch: dp, t: t, d: d,
                                           dh: dh, scale: scale, block: block, causal: causal)
            }
        }
    }

    /// Zeroes one head's columns: `rows` runs of `width` floats, `stride` apart.
    private static func zeroHead(_ p: UnsafeMutablePointer<Float>, rows: Int, stride: Int, width: Int) {
        for r in 0..<rows { (p + r * stride).update(repeating: 0, count: width) }
    }

    /// The backward pass of one (batch, head) whose columns start at `base`: accumulates into `dq`, `dk`, `dv`.
    private static func attentionBackwardItem(_ ptr: AttentionPointers, base: Int, probs p: UnsafeMutablePointer<Float>,
                                              scratch dp: UnsafeMutablePointer<Float>, t: Int, d: Int, dh: Int,
                                              scale: Float, block: Int, causal: Bool) {
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
                let gr = dp + i * t
                let n = causal ? i + 1 : t
                softmaxGradRow(p + i * t, gr, n)
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

    /// Runs `body(0..<count)` across `Parallelism.workers` cores, each item's GEMMs single-threaded on its core
    /// (per-head GEMMs are small: splitting them again would cost more than it saves).
    static func parallelSingleThreadedBLAS(_ count: Int, _ body: @Sendable (Int) -> Void) {
        Parallelism.forEach(count) { i in ParallelKernel.run { body(i) } }
    }
}

/// Marks the threads that run an item of a parallel kernel: there `BLAS.sgemm` runs its blocks one after the other
/// instead of spreading them (the kernel's other items occupy the cores). A per-thread mark, so a kernel on one
/// tape (a sampler decoding) never slows another tape's GEMMs (a trainer in the same process); the mark changes
/// speed only, never a result (`BLAS.sgemm` cuts by shape).
enum ParallelKernel {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        // Not inside `precondition`: release builds of the engine are -Ounchecked, which drops the condition's
        // evaluation, call included.
        let status = pthread_key_create(&key, nil)
        if status != 0 { fatalError("pthread_key_create failed (\(status))") }
        return key
    }()

    /// True on a thread that is running an item of a parallel kernel.
    static var active: Bool { pthread_getspecific(key) != nil }

    /// Runs `body` with the current thread marked (nested calls keep the mark).
    static func run(_ body: () -> Void) {
        let previous = pthread_getspecific(key)
        pthread_setspecific(key, UnsafeRawPointer(bitPattern: 1))
        body()
        pthread_setspecific(key, previous)
    }
}
