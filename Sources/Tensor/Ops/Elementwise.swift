import Foundation

extension Tape {
    /// `a + b`, where `b` is either the same shape as `a` or a suffix of it (broadcast over leading dims).
    public func add(_ a: Tensor, _ b: Tensor) -> Tensor {
        let n = a.shape.count, nb = b.shape.count
        precondition(nb > 0 && n % nb == 0, "add: \(b.shape) does not broadcast to \(a.shape)")
        let (y, yp) = result(a.shape, .add(a: a.id, b: b.id), a.id, b.id)
        let ap = val(a.id), bp = val(b.id)
        if nb == n {  // a residual add: eight lanes, in parallel
            zipLanes(n, SendablePointer(ap), SendablePointer(bp), into: SendablePointer(yp)) { $0 + $1 }
            return y
        }
        var off = 0
        while off < n { for j in 0..<nb { yp[off + j] = ap[off + j] + bp[j] }; off += nb }
        return y
    }

    func addBackward(_ dy: UnsafeMutablePointer<Float>, _ a: Int, _ b: Int) {
        let n = nodes[a].shape.count, nb = nodes[b].shape.count
        if let (da, accumulate) = gradTarget(a) { passGradient(dy, into: da, count: n, accumulate: accumulate) }
        if nb == n, let (db, accumulate) = gradTarget(b) {
            passGradient(dy, into: db, count: n, accumulate: accumulate)
        } else if let db = gradOf(b) {
            var off = 0
            while off < n { for j in 0..<nb { db[j] += dy[off + j] }; off += nb }
        }
    }

    /// `dx += dy` over `count` elements, or `dx = dy` for the first contribution to `dx` (in parallel).
    private func passGradient(_ dy: UnsafeMutablePointer<Float>, into dx: UnsafeMutablePointer<Float>, count: Int,
                              accumulate: Bool) {
        if accumulate {
            zipLanes(count, SendablePointer(dx), SendablePointer(dy), into: SendablePointer(dx)) { $0 + $1 }
        } else {
            mapLanes(count, SendablePointer(dy), into: SendablePointer(dx)) { $0 }
        }
    }

    /// `a * b` elementwise, where `b` is either the same shape as `a` or a suffix of it (broadcast).
    public func mul(_ a: Tensor, _ b: Tensor) -> Tensor {
        let n = a.shape.count, nb = b.shape.count
        precondition(nb > 0 && n % nb == 0, "mul: \(b.shape) does not broadcast to \(a.shape)")
        let (y, yp) = result(a.shape, .mul(a: a.id, b: b.id), a.id, b.id)
        let ap = val(a.id), bp = val(b.id)
        var off = 0
        while off < n { for j in 0..<nb { yp[off + j] = ap[off + j] * bp[j] }; off += nb }
        return y
    }

    func mulBackward(_ dy: UnsafeMutablePointer<Float>, _ a: Int, _ b: Int) {
        let n = nodes[a].shape.count, nb = nodes[b].shape.count
        let ap = val(a), bp = val(b)
        if let da = gradOf(a) {
            var off = 0
            while off < n { for j in 0..<nb { da[off + j] += dy[off + j] * bp[j] }; off += nb }
        }
        if let db = gradOf(b) {
            var off = 0
            while off < n { for j in 0..<nb { db[j] += dy[off + j] * ap[off + j] }; off += nb }
        }
    }

    /// `a * factor`.
    public func scale(_ a: Tensor, _ factor: Float) -> Tensor {
        let (y, yp) = result(a.shape, .scale(a: a.id, factor: factor), a.id)
        let ap = val(a.id)
        for j in 0..<a.shape.count { yp[j] = ap[j] * factor }
        return y
    }

    /// `a - b` (same broadcasting as `add`).
    public func sub(_ a: Tensor, _ b: Tensor) -> Tensor { add(a, scale(b, -1)) }

    /// `log(sigmoid(a))`, stable for large |a| (the DPO loss is `-logSigmoid(beta * margin)`).
    public func logSigmoid(_ a: Tensor) -> Tensor {
        let (y, yp) = result(a.shape, .logSigmoid(a: a.id), a.id)
        let ap = val(a.id)
        for j in 0..<a.shape.count { let x = ap[j]; yp[j] = min(x, 0) - log1pf(expf(-abs(x))) }
        return y
    }

    func logSigmoidBackward(_ dy: UnsafeMutablePointer<Float>, _ a: Int) {
        guard let da = gradOf(a) else { return }
        let ap = val(a)
        for j in 0..<nodes[a].shape.count { da[j] += dy[j] / (1 + expf(ap[j])) }
    }

    /// The sum of all elements, as a `[1]` tensor.
    public func sum(_ a: Tensor) -> Tensor {
        let (y, yp) = result(Shape(1), .sum(a: a.id), a.id)
        let ap = val(a.id)
        var s: Double = 0
        for j in 0..<a.shape.count { s += Double(ap[j]) }
        yp[0] = Float(s)
        return y
    }

    /// The mean of all elements, as a `[1]` tensor.
    public func mean(_ a: Tensor) -> Tensor {
        let (y, yp) = result(Shape(1), .mean(a: a.id), a.id)
        let ap = val(a.id)
        var s: Double = 0
        for j in 0..<a.shape.count { s += Double(ap[j]) }
        yp[0] = Float(s / Double(a.shape.count))
        return y
    }
}
