import Foundation

extension Tape {
    /// GELU, tanh approximation (PyTorch `approximate='tanh'`): `0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))`.
    public func gelu(_ a: Tensor) -> Tensor {
        let (y, yp) = result(a.shape, .gelu(a: a.id), a.id)
        let ap = val(a.id)
        let c: Float = 0.797_884_56
        for j in 0..<a.shape.count {
            let x = ap[j]
            yp[j] = 0.5 * x * (1 + tanhf(c * (x + 0.044715 * x * x * x)))
        }
        return y
    }

    func geluBackward(_ dy: UnsafeMutablePointer<Float>, _ a: Int) {
        guard let da = gradOf(a) else { return }
        let ap = val(a)
        let c: Float = 0.797_884_56
        for j in 0..<nodes[a].shape.count {
            let x = ap[j]
            let t = tanhf(c * (x + 0.044715 * x * x * x))
            let dt = (1 - t * t) * c * (1 + 3 * 0.044715 * x * x)
            da[j] += dy[j] * (0.5 * (1 + t) + 0.5 * x * dt)
        }
    }

    /// SiLU (swish): `x * sigmoid(x)`.
    public func silu(_ a: Tensor) -> Tensor {
        let (y, yp) = result(a.shape, .silu(a: a.id), a.id)
        let ap = val(a.id)
        for j in 0..<a.shape.count { let x = ap[j]; yp[j] = x / (1 + expf(-x)) }
        return y
    }

    func siluBackward(_ dy: UnsafeMutablePointer<Float>, _ a: Int) {
        guard let da = gradOf(a) else { return }
        let ap = val(a)
        for j in 0..<nodes[a].shape.count {
            let x = ap[j], s = 1 / (1 + expf(-x))
            da[j] += dy[j] * s * (1 + x * (1 - s))
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
            var dot: Float = 0
            for j in 0..<d { dot += g[j] * yr[j] }
            for j in 0..<d { dr[j] += yr[j] * (g[j] - dot) }
        }
    }
}

/// Numerically stable softmax of `n` values from `x` into `y` (may alias).
@inline(__always)
func softmaxRow(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
    var m = -Float.infinity
    for j in 0..<n { m = max(m, x[j]) }
    var s: Float = 0
    for j in 0..<n { let e = expf(x[j] - m); y[j] = e; s += e }
    let inv = 1 / s
    for j in 0..<n { y[j] *= inv }
}

/// `log(sum(exp(x)))` of `n` values, stable.
@inline(__always)
func logSumExp(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
    var m = -Float.infinity
    for j in 0..<n { m = max(m, x[j]) }
    var s: Float = 0
    for j in 0..<n { s += expf(x[j] - m) }
    return m + logf(s)
}
