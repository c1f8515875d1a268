import Foundation

extension Tape {
    /// Mean token cross-entropy over the tokens whose `mask` is non-zero: `logits` `[..., V]`, one target and one
    /// mask value per row (mask nil = every token counts). Returns `[1]`. Matches
    /// `(F.cross_entropy(logits, t, reduction='none') * mask).sum() / mask.sum()`.
    public func crossEntropy(_ logits: Tensor, targets: [Int32], mask: [Float]? = nil) -> Tensor {
        let v = logits.shape.last, rows = logits.shape.rows
        precondition(targets.count == rows, "crossEntropy: \(targets.count) targets for \(rows) rows")
        precondition(mask == nil || mask!.count == rows, "crossEntropy: mask must have one value per row (\(rows))")
        let tp = ints.allocate(rows), mp = floats.allocate(rows), lse = floats.allocate(rows)
        var total: Float = 0
        for i in 0..<rows {
            precondition(targets[i] >= 0 && Int(targets[i]) < v, "crossEntropy: target \(targets[i]) outside \(v)")
            tp[i] = targets[i]
            mp[i] = mask?[i] ?? 1
            total += mp[i]
        }
        let weight: Float = total > 0 ? 1 / total : 0
        let (y, yp) = result(Shape(1), .crossEntropy(logits: logits.id, targets: tp, mask: mp, lse: lse,
                                                     weight: weight), logits.id)
        let lp = val(logits.id)
        let logitsS = SendablePointer(lp), lseS = SendablePointer(lse)
        parallelRanges(rows, grain: max(1, (1 << 15) / v)) { range in
            for i in range { lseS.p[i] = logSumExp(logitsS.p + i * v, v) }
        }
        var loss: Double = 0  // summed in row order, whatever the cores
        for i in 0..<rows where mp[i] != 0 { loss += Double(mp[i]) * Double(lse[i] - lp[i * v + Int(tp[i])]) }
        yp[0] = Float(loss * Double(weight))
        return y
    }

    func crossEntropyBackward(_ g: Float, _ logits: Int, _ targets: UnsafeMutablePointer<Int32>,
                              _ mask: UnsafeMutablePointer<Float>, _ lse: UnsafeMutablePointer<Float>, _ weight: Float) {
        guard let dl = gradOf(logits) else { return }
        let v = nodes[logits].shape.last, rows = nodes[logits].shape.rows
        let lp = SendablePointer(val(logits)), d = SendablePointer(dl)
        let maskS = SendablePointer(mask), lseS = SendablePointer(lse)
        parallelRanges(rows, grain: max(1, (1 << 15) / v)) { range in
            for i in range where maskS.p[i] != 0 {
                addScaledSoftmax(g * weight * maskS.p[i], lp.p + i * v, lseS.p[i], d.p + i * v, v)
            }
        }
        for i in 0..<rows where mask[i] != 0 { dl[i * v + Int(targets[i])] -= g * weight * mask[i] }
    }

    /// Per-sequence sum of masked token log-probabilities (for DPO): `logits` `[B, T, V]`, `targets` and `mask`
    /// `B*T` values; returns `[B]` with `sum_t mask[b,t] * log_softmax(logits[b,t])[targets[b,t]]`.
    public func sequenceLogProbs(_ logits: Tensor, targets: [Int32], mask: [Float]) -> Tensor {
        precondition(logits.shape.rank == 3, "sequenceLogProbs: logits must be [B, T, V], got \(logits.shape)")
        let b = logits.shape[0], t = logits.shape[1], v = logits.shape[2], rows = b * t
        precondition(targets.count == rows && mask.count == rows, "sequenceLogProbs: need \(rows) targets and mask")
        let tp = ints.allocate(rows), mp = floats.allocate(rows), lse = floats.allocate(rows)
        for i in 0..<rows {
            precondition(targets[i] >= 0 && Int(targets[i]) < v, "sequenceLogProbs: target \(targets[i]) outside \(v)")
            tp[i] = targets[i]
            mp[i] = mask[i]
        }
        let (y, yp) = result(Shape(b), .sequenceLogProbs(logits: logits.id, targets: tp, mask: mp, lse: lse),
                             logits.id)
        let lp = val(logits.id)
        for s in 0..<b {
            var acc: Double = 0
            for k in 0..<t {
                let i = s * t + k, row = lp + i * v
                guard mp[i] != 0 else { continue }  // masked rows: no log-softmax (backward skips them too)
                lse[i] = logSumExp(row, v)
                acc += Double(mp[i]) * Double(row[Int(tp[i])] - lse[i])
            }
            yp[s] = Float(acc)
        }
        return y
    }

    func sequenceLogProbsBackward(_ dy: UnsafeMutablePointer<Float>, _ logits: Int,
                                  _ targets: UnsafeMutablePointer<Int32>, _ mask: UnsafeMutablePointer<Float>,
                                  _ lse: UnsafeMutablePointer<Float>) {
        guard let dl = gradOf(logits) else { return }
        let t = nodes[logits].shape[1], v = nodes[logits].shape[2]
        let lp = val(logits)
        for i in 0..<nodes[logits].shape.rows where mask[i] != 0 {
            let c = dy[i / t] * mask[i], row = lp + i * v, d = dl + i * v, l = lse[i]
            addScaledSoftmax(-c, row, l, d, v)
            d[Int(targets[i])] += c
        }
    }
}

/// `d += c * exp(row - lse)` over `n` values (the softmax part of a log-softmax gradient).
@inline(__always)
func addScaledSoftmax(_ c: Float, _ row: UnsafePointer<Float>, _ lse: Float, _ d: UnsafeMutablePointer<Float>, _ n: Int) {
    var j = 0
    while j < n {
        let k = min(8, n - j)
        store8(load8(d + j, k) + c * fastExp(load8(row + j, k) - lse), d + j, k)
        j += 8
    }
}
