extension Tape {
    /// `x W^T + b` over the last dimension, as `torch.nn.functional.linear`: `x` is `[..., in]`, `weight`
    /// `[out, in]`, `bias` `[out]` or nil; the result is `[..., out]`.
    public func linear(_ x: Tensor, _ weight: Tensor, _ bias: Tensor? = nil) -> Tensor {
        let k = x.shape.last, n = weight.shape[0], m = x.shape.rows
        precondition(weight.shape.rank == 2 && weight.shape[1] == k, "linear: x \(x.shape) vs weight \(weight.shape)")
        let (y, yp) = result(x.shape.replacingLast(n), .linear(x: x.id, w: weight.id, b: bias?.id ?? -1), x.id,
                             weight.id, bias?.id ?? -1)
        if let bias {
            precondition(bias.shape.count == n, "linear: bias \(bias.shape) vs out \(n)")
            let bp = val(bias.id)
            for r in 0..<m { (yp + r * n).update(from: bp, count: n) }
        }
        BLAS.sgemm(transA: false, transB: true, m: m, n: n, k: k, alpha: 1, a: val(x.id), lda: k,
                   b: val(weight.id), ldb: k, beta: bias == nil ? 0 : 1, c: yp, ldc: n)
        return y
    }

    func linearBackward(_ dy: UnsafeMutablePointer<Float>, _ x: Int, _ w: Int, _ b: Int, _ shape: Shape) {
        let n = shape.last, m = shape.rows, k = nodes[x].shape.last
        if let (dx, accumulate) = gradTarget(x) {
            BLAS.sgemm(transA: false, transB: false, m: m, n: k, k: n, alpha: 1, a: dy, lda: n, b: val(w), ldb: k,
                       beta: accumulate ? 1 : 0, c: dx, ldc: k)
        }
        if let (dw, accumulate) = gradTarget(w) {
            BLAS.sgemm(transA: true, transB: false, m: n, n: k, k: m, alpha: 1, a: dy, lda: n, b: val(x), ldb: k,
                       beta: accumulate ? 1 : 0, c: dw, ldc: k)
        }
        if let db = gradOf(b) {
            for r in 0..<m { let row = dy + r * n; for j in 0..<n { db[j] += row[j] } }
        }
    }

    /// Matrix product of `a` `[m, k]` and `b` `[k, n]`.
    public func matmul(_ a: Tensor, _ b: Tensor) -> Tensor {
        precondition(a.shape.rank == 2 && b.shape.rank == 2 && a.shape[1] == b.shape[0],
                     "matmul: \(a.shape) x \(b.shape)")
        let m = a.shape[0], k = a.shape[1], n = b.shape[1]
        let (y, yp) = result(Shape(m, n), .matmul(a: a.id, b: b.id), a.id, b.id)
        BLAS.sgemm(transA: false, transB: false, m: m, n: n, k: k, alpha: 1, a: val(a.id), lda: k, b: val(b.id),
                   ldb: n, beta: 0, c: yp, ldc: n)
        return y
    }

    func matmulBackward(_ dy: UnsafeMutablePointer<Float>, _ a: Int, _ b: Int) {
        let m = nodes[a].shape[0], k = nodes[a].shape[1], n = nodes[b].shape[1]
        if let (da, accumulate) = gradTarget(a) {
            BLAS.sgemm(transA: false, transB: true, m: m, n: k, k: n, alpha: 1, a: dy, lda: n, b: val(b), ldb: n,
                       beta: accumulate ? 1 : 0, c: da, ldc: k)
        }
        if let (db, accumulate) = gradTarget(b) {
            BLAS.sgemm(transA: true, transB: false, m: k, n: n, k: m, alpha: 1, a: val(a), lda: k, b: dy, ldb: n,
                       beta: accumulate ? 1 : 0, c: db, ldc: n)
        }
    }
}
