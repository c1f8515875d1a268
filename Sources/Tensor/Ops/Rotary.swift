import Foundation

extension Tape {
    /// Rotary position embedding (RoFormer; the `rotate_half` layout of LLaMA and HuggingFace): in each head of `x`
    /// `[B, T, heads * dh]`, the pair of channels `(j, j + dh/2)` of position `start + t` is rotated by the angle
    /// `(start + t) * base^(-2j/dh)`.
    ///
    /// Applied to queries and keys, it makes every attention score a function of the two tokens and their distance
    /// only: a head that looks one token back, or finds the earlier copy of the current word (a named look-up in
    /// a caption), is the same pattern at every position, where learned absolute positions must learn it anew at
    /// each one (calibration.md, trial 2: look-ups stalled below 0.5 with them). `start` is the position of the
    /// first row (the cache length when decoding with a KV cache), so cached keys keep the rotation of their own
    /// position.
    public func rotary(_ x: Tensor, heads: Int, start: Int = 0, base: Float = 10_000) -> Tensor {
        precondition(x.shape.rank == 3 && x.shape[2] % heads == 0 && (x.shape[2] / heads) % 2 == 0 && start >= 0,
                     "rotary: x \(x.shape), heads \(heads) (head width must be even), start \(start)")
        let b = x.shape[0], t = x.shape[1], d = x.shape[2], half = d / heads / 2
        // cos then sin per (position, frequency), computed in Double so that every position is exact to a float.
        let table = floats.allocate(2 * t * half)
        for p in 0..<t {
            for j in 0..<half {
                let angle = Double(start + p) * pow(Double(base), -2 * Double(j) / Double(2 * half))
                table[(p * half + j) * 2] = Float(cos(angle))
                table[(p * half + j) * 2 + 1] = Float(sin(angle))
            }
        }
        let (y, yp) = result(x.shape, .rotary(a: x.id, heads: heads, table: table), x.id)
        Self.rotate(from: val(x.id), into: yp, rows: b * t, positions: t, width: d, heads: heads, table: table,
                    direction: 1, accumulate: false)
        return y
    }

    func rotaryBackward(_ dy: UnsafeMutablePointer<Float>, _ a: Int, _ heads: Int, _ table: UnsafeMutablePointer<Float>) {
        guard let (da, accumulate) = gradTarget(a) else { return }
        let s = nodes[a].shape
        // A rotation's transpose is the rotation by the opposite angle.
        Self.rotate(from: dy, into: da, rows: s[0] * s[1], positions: s[1], width: s[2], heads: heads, table: table,
                    direction: -1, accumulate: accumulate)
    }

    /// Rotates every head's channel pairs of `rows` rows (row `r` at position `r % positions`) by `direction` times
    /// the table's angle; stores, or adds when `accumulate`.
    private static func rotate(from x: UnsafeMutablePointer<Float>, into y: UnsafeMutablePointer<Float>, rows: Int,
                               positions: Int, width: Int, heads: Int, table: UnsafeMutablePointer<Float>,
                               direction: Float, accumulate: Bool) {
        let dh = width / heads, half = dh / 2
        let xs = SendablePointer(x), ys = SendablePointer(y), ts = SendablePointer(table)
        // Rows are independent: splitting them across cores changes no result.
        parallelRanges(rows, grain: max(1, (1 << 14) / width)) { range in
            for r in range {
                let angles = ts.p + (r % positions) * half * 2
                for h in 0..<heads {
                    let xr = xs.p + r * width + h * dh, yr = ys.p + r * width + h * dh
                    for j in 0..<half {
                        let c = angles[2 * j], s = direction * angles[2 * j + 1]
                        let a = xr[j], b = xr[j + half]
                        let first = a * c - b * s, second = b * c + a * s
                        yr[j] = accumulate ? yr[j] + first : first
                        yr[j + half] = accumulate ? yr[j + half] + second : second
                    }
                }
            }
        }
    }
}
