extension Tape {
    /// The same values seen with another shape of equal element count (no copy; gradients are shared too).
    public func reshape(_ a: Tensor, _ shape: Shape) -> Tensor {
        precondition(shape.count == a.shape.count, "reshape: \(a.shape) to \(shape)")
        return append(Node(value: val(a.id), grad: nil, shape: shape, op: .alias(a.id),
                           requiresGrad: nodes[a.id].requiresGrad))
    }

    /// Swaps the last two dimensions (a copy).
    public func transposeLast2(_ a: Tensor) -> Tensor {
        precondition(a.shape.rank >= 2, "transposeLast2 needs rank >= 2, got \(a.shape)")
        let r = a.shape[-2], c = a.shape[-1]
        let (y, yp) = result(a.shape.swappingLast2(), .transposeLast2(a: a.id), a.id)
        let ap = val(a.id)
        for m in 0..<(a.shape.count / (r * c)) {
            let src = ap + m * r * c, dst = yp + m * r * c
            for i in 0..<r { for j in 0..<c { dst[j * r + i] = src[i * c + j] } }
        }
        return y
    }

    func transposeBackward(_ dy: UnsafeMutablePointer<Float>, _ a: Int) {
        guard let da = gradOf(a) else { return }
        let s = nodes[a].shape
        let r = s[-2], c = s[-1]
        for m in 0..<(s.count / (r * c)) {
            let g = dy + m * r * c, d = da + m * r * c
            for i in 0..<r { for j in 0..<c { d[i * c + j] += g[j * r + i] } }
        }
    }

    /// Positions `start..<start+length` of the sequence axis (dim 1) of `a` `[B, T, D]`.
    public func sliceSequence(_ a: Tensor, start: Int, length: Int) -> Tensor {
        precondition(a.shape.rank == 3 && start >= 0 && start + length <= a.shape[1],
                     "sliceSequence: \(start)..<\(start + length) of \(a.shape)")
        let b = a.shape[0], t = a.shape[1], d = a.shape[2]
        let (y, yp) = result(Shape(b, length, d), .sliceSequence(a: a.id, start: start), a.id)
        let ap = val(a.id)
        for i in 0..<b { (yp + i * length * d).update(from: ap + (i * t + start) * d, count: length * d) }
        return y
    }

    func sliceBackward(_ dy: UnsafeMutablePointer<Float>, _ a: Int, _ start: Int, _ shape: Shape) {
        guard let da = gradOf(a) else { return }
        let b = shape[0], len = shape[1], d = shape[2], t = nodes[a].shape[1]
        for i in 0..<b {
            let src = dy + i * len * d, dst = da + (i * t + start) * d
            for j in 0..<(len * d) { dst[j] += src[j] }
        }
    }

    /// `a` `[B, T1, D]` followed by `b` `[B, T2, D]` along the sequence axis: `[B, T1 + T2, D]`.
    public func concatSequence(_ a: Tensor, _ b: Tensor) -> Tensor {
        precondition(a.shape.rank == 3 && b.shape.rank == 3 && a.shape[0] == b.shape[0] && a.shape[2] == b.shape[2],
                     "concatSequence: \(a.shape) and \(b.shape)")
        let n = a.shape[0], t1 = a.shape[1], t2 = b.shape[1], d = a.shape[2]
        let (y, yp) = result(Shape(n, t1 + t2, d), .concatSequence(a: a.id, b: b.id), a.id, b.id)
        let ap = val(a.id), bp = val(b.id)
        for i in 0..<n {
            (yp + i * (t1 + t2) * d).update(from: ap + i * t1 * d, count: t1 * d)
            (yp + (i * (t1 + t2) + t1) * d).update(from: bp + i * t2 * d, count: t2 * d)
        }
        return y
    }

    func concatBackward(_ dy: UnsafeMutablePointer<Float>, _ a: Int, _ b: Int) {
        let n = nodes[a].shape[0], t1 = nodes[a].shape[1], t2 = nodes[b].shape[1], d = nodes[a].shape[2]
        if let da = gradOf(a) {
            for i in 0..<n { let s = dy + i * (t1 + t2) * d, g = da + i * t1 * d; for j in 0..<(t1 * d) { g[j] += s[j] } }
        }
        if let db = gradOf(b) {
            for i in 0..<n {
                let s = dy + (i * (t1 + t2) + t1) * d, g = db + i * t2 * d
                for j in 0..<(t2 * d) { g[j] += s[j] }
            }
        }
    }

    /// Rows of `table` `[V, D]` picked by `ids` (shape `idsShape`, e.g. `[B, T]`): `[..., D]`.
    public func embedding(_ table: Tensor, ids: [Int32], shape idsShape: Shape) -> Tensor {
        precondition(ids.count == idsShape.count, "embedding: \(ids.count) ids for shape \(idsShape)")
        let v = table.shape[0], d = table.shape[1]
        let ip = ints.allocate(ids.count)
        for (i, id) in ids.enumerated() {
            precondition(id >= 0 && Int(id) < v, "embedding: id \(id) outside vocabulary of \(v)")
            ip[i] = id
        }
        let (y, yp) = result(idsShape.appending(d), .embedding(table: table.id, ids: ip), table.id)
        let tp = val(table.id)
        for i in 0..<ids.count { (yp + i * d).update(from: tp + Int(ip[i]) * d, count: d) }
        return y
    }

    func embeddingBackward(_ dy: UnsafeMutablePointer<Float>, _ table: Int, _ ids: UnsafeMutablePointer<Int32>,
                           _ shape: Shape) {
        guard let dt = gradOf(table) else { return }
        let d = shape.last
        for i in 0..<shape.rows {
            let row = dt + Int(ids[i]) * d, g = dy + i * d
            for j in 0..<d { row[j] += g[j] }
        }
    }
}
