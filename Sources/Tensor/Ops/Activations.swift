import Foundation

extension Tape {
    /// GELU, tanh approximation (PyTorch `approximate='tanh'`): `0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))`.
    public func gelu(_ a: Tensor) -> Tensor {
        let (y, yp) = result(a.shape, .gelu(a: a.id), a.id)
        mapLanes(a.shape.count, SendablePointer(val(a.id)), into: SendablePointer(yp)) { x in
            0.5 * x * (1 + fastTanh(0.797_884_56 * (x + 0.044715 * x * x * x)))
        }
        return y
    }

    func geluBackward(_ dy: UnsafeMutablePointer<Float>, _ a: Int) {
        guard let (da, accumulate) = gradTarget(a) else { return }
        accumulateLanes(nodes[a].shape.count, x: SendablePointer(val(a)), dy: SendablePointer(dy),
                        into: SendablePointer(da), accumulate: accumulate) { x in
            let t = fastTanh(0.797_884_56 * (x + 0.044715 * x * x * x))
            let dt = (1 - t * t) * 0.797_884_56 * (1 + 3 * 0.044715 * x * x)
            return 0.5 * (1 + t) + 0.5 * x * dt
        }
    }

    /// SiLU (swish): `x * sigmoid(x)`.
    public func silu(_ a: Tensor) -> Tensor {
        let (y, yp) = result(a.shape, .silu(a: a.id), a.id)
        mapLanes(a.shape.count, SendablePointer(val(a.id)), into: SendablePointer(yp)) { x in x / (1 + fastExp(-x)) }
        return y
    }

    func siluBackward(_ dy: UnsafeMutablePointer<Float>, _ a: Int) {
        guard let (da, accumulate) = gradTarget(a) else { return }
        accumulateLanes(nodes[a].shape.count, x: SendablePointer(val(a)), dy: SendablePointer(dy),
                        into: SendablePointer(da), accumulate: accumulate) { x in
            let s = 1 / (1 + fastExp(-x))
            return s * (1 + x * (1 - s))
        }
    }

    /// Softmax over the last dimension.
    public func softmax(_ a: Tensor) -> Tensor {
        let (y, yp) = result(a.shape, .softmax(a: a.id), a.id)
        let ap = val(a.id), d = a.shape.last
        for r in 0..<a.shape.rows { softmaxRow(ap + r * d, yp + r * d, d) }
        return y
    }

    func softmaxBackward(_ dy: UnsafeMutablePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ a: Int) {
        guard let da = gradOf(a) else { return }
        let d = nodes[a].shape.last
        for r in 0..<nodes[a].shape.rows {
            let g = dy + r * d, yr = y + r * d, dr = da + r * d
            let dot = dotProduct(g, yr, d)
            for j in 0..<d { dr[j] += yr[j] * (g[j] - dot) }
        }
    }
}

/// Numerically stable softmax of `n` values from `x` into `y` (may alias).
@inline(__always)
func softmaxRow(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
    let m = rowMax(x, n)
    var s = SIMD8<Float>()
    var i = 0
    while i < n {
        let k = min(8, n - i)
        var e = fastExp(load8(x + i, k, fill: -.infinity) - m)
        if k < 8 { for l in k..<8 { e[l] = 0 } }
        s += e
        store8(e, y + i, k)
        i += 8
    }
    let inv = 1 / s.sum()
    i = 0
    while i < n { let k = min(8, n - i); store8(load8(y + i, k) * inv, y + i, k); i += 8 }
}

/// The gradient of a softmax row in place: `d = p * (d - dot(p, d))` over `n` values (`p` the probabilities, `d`
/// the incoming gradient).
@inline(__always)
func softmaxGradRow(_ p: UnsafePointer<Float>, _ d: UnsafeMutablePointer<Float>, _ n: Int) {
    let dot = dotProduct(p, d, n)
    var i = 0
    while i < n { let k = min(8, n - i); store8(load8(p + i, k) * (load8(d + i, k) - dot), d + i, k); i += 8 }
}

/// `sum(x[i] * y[i])` over `n` values, in eight lanes.
@inline(__always)
func dotProduct(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ n: Int) -> Float {
    var s = SIMD8<Float>()
    var i = 0
    while i < n { let k = min(8, n - i); s += load8(x + i, k) * load8(y + i, k); i += 8 }
    return s.sum()
}

/// The largest of `n` values.
@inline(__always)
func rowMax(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
    var m = SIMD8<Float>(repeating: -.infinity)
    var i = 0
    while i < n { m = pointwiseMax(m, load8(x + i, min(8, n - i), fill: -.infinity)); i += 8 }
    return m.max()
}

/// `log(sum(exp(x)))` of `n` values, stable.
@inline(__always)
func logSumExp(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
    let m = rowMax(x, n)
    var s = SIMD8<Float>()
    var i = 0
    while i < n {
        let k = min(8, n - i)
        var e = fastExp(load8(x + i, k) - m)
        if k < 8 { for l in k..<8 { e[l] = 0 } }
        s += e
        i += 8
    }
    return m + logf(s.sum())
}
