import Foundation

extension Tape {
    /// RMSNorm over the last dimension: `x / sqrt(mean(x^2) + eps) * weight` (as `torch.nn.RMSNorm`).
    public func rmsNorm(_ x: Tensor, weight: Tensor, eps: Float = 1e-5) -> Tensor {
        let d = x.shape.last, rows = x.shape.rows
        precondition(weight.shape.count == d, "rmsNorm: weight \(weight.shape) vs x \(x.shape)")
        let rstd = floats.allocate(rows)
        let (y, out) = result(x.shape, .rmsNorm(x: x.id, w: weight.id, rstd: rstd), x.id, weight.id)
        let xp = SendablePointer(val(x.id)), wp = SendablePointer(val(weight.id))
        let yp = SendablePointer(out), rp = SendablePointer(rstd)
        // Rows are independent: splitting them across cores changes no result.
        parallelRanges(rows, grain: max(1, (1 << 15) / d)) { range in
            for r in range {
                let xr = xp.p + r * d, yr = yp.p + r * d
                var ss: Float = 0
                for j in 0..<d { ss += xr[j] * xr[j] }
                let s = 1 / (ss / Float(d) + eps).squareRoot()
                rp.p[r] = s
                for j in 0..<d { yr[j] = xr[j] * s * wp.p[j] }
            }
        }
        return y
    }

    func rmsNormBackward(_ dy: UnsafeMutablePointer<Float>, _ x: Int, _ w: Int, _ rstd: UnsafeMutablePointer<Float>) {
        let d = nodes[x].shape.last, rows = nodes[x].shape.rows
        let xp = SendablePointer(val(x)), wp = SendablePointer(val(w))
        let g = SendablePointer(dy), rp = SendablePointer(rstd)
        if let (dx, accumulate) = gradTarget(x) {
            let dx = SendablePointer(dx)
            parallelRanges(rows, grain: max(1, (1 << 15) / d)) { range in
                for r in range {
                    let xr = xp.p + r * d, gr = g.p + r * d, s = rp.p[r]
                    var dot: Float = 0
                    for j in 0..<d { dot += gr[j] * wp.p[j] * (xr[j] * s) }
                    let dxr = dx.p + r * d, c = dot / Float(d)
                    for j in 0..<d {
                        let v = s * (gr[j] * wp.p[j] - xr[j] * s * c)
                        dxr[j] = accumulate ? dxr[j] + v : v
                    }
                }
            }
        }
        // The weight's gradient sums over rows: one pass in row order, so the sum does not depend on the cores.
        if let dw = gradOf(w) {
            for r in 0..<rows {
                let xr = xp.p + r * d, gr = g.p + r * d, s = rp.p[r]
                for j in 0..<d { dw[j] += gr[j] * (xr[j] * s) }
            }
        }
    }

    /// LayerNorm over the last dimension with affine `weight` and `bias` (as `torch.nn.LayerNorm`).
    public func layerNorm(_ x: Tensor, weight: Tensor, bias: Tensor, eps: Float = 1e-5) -> Tensor {
        let d = x.shape.last, rows = x.shape.rows
        precondition(weight.shape.count == d && bias.shape.count == d, "layerNorm: weight/bias vs x \(x.shape)")
        let mean = floats.allocate(rows), rstd = floats.allocate(rows)
        let (y, yp) = result(x.shape, .layerNorm(x: x.id, w: weight.id, b: bias.id, mean: mean, rstd: rstd),
                             x.id, weight.id, bias.id)
        let xp = val(x.id), wp = val(weight.id), bp = val(bias.id)
        for r in 0..<rows {
            let xr = xp + r * d, yr = yp + r * d
            var m: Float = 0
            for j in 0..<d { m += xr[j] }
            m /= Float(d)
            var v: Float = 0
            for j in 0..<d { let c = xr[j] - m; v += c * c }
            let s = 1 / (v / Float(d) + eps).squareRoot()
            mean[r] = m
            rstd[r] = s
            for j in 0..<d { yr[j] = (xr[j] - m) * s * wp[j] + bp[j] }
        }
        return y
    }

    func layerNormBackward(_ dy: UnsafeMutablePointer<Float>, _ x: Int, _ w: Int, _ b: Int,
                           _ mean: UnsafeMutablePointer<Float>, _ rstd: UnsafeMutablePointer<Float>) {
        let d = nodes[x].shape.last, rows = nodes[x].shape.rows
        let xp = val(x), wp = val(w), dx = gradOf(x), dw = gradOf(w), db = gradOf(b)
        for r in 0..<rows {
            let xr = xp + r * d, g = dy + r * d, m = mean[r], s = rstd[r]
            var sumG: Float = 0, sumGX: Float = 0
            for j in 0..<d {
                let xh = (xr[j] - m) * s
                let gh = g[j] * wp[j]
                sumG += gh
                sumGX += gh * xh
                dw?[j] += g[j] * xh
                db?[j] += g[j]
            }
            if let dx {
                let dxr = dx + r * d, a = sumG / Float(d), c = sumGX / Float(d)
                for j in 0..<d { dxr[j] += s * (g[j] * wp[j] - a - (xr[j] - m) * s * c) }
            }
        }
    }
}
