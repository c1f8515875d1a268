/// Vectorised `exp` (Cephes-style: range reduction by ln 2, degree-6 polynomial, exponent by bit shifting),
/// relative error below 1e-7 over the clamped range [-87.3, 88.3]. glibc's scalar `expf`/`tanhf` made GELU and
/// softmax the slowest part of a training step. Rounding uses the 1.5 * 2^23 trick and only `&+`, `&<<` and bit
/// casts, because the generic SIMD `rounded` and float-to-int conversions compile to slow per-lane code.
@inline(__always)
func fastExp(_ v: SIMD8<Float>) -> SIMD8<Float> {
    let x = pointwiseMin(pointwiseMax(v, SIMD8(repeating: -87.3)), SIMD8(repeating: 88.3))
    let magic = SIMD8<Float>(repeating: 12_582_912)
    let shifted = x * 1.442_695_04 + magic
    let fx = shifted - magic
    let r = x - fx * 0.693_359_375 + fx * 2.121_944_4e-4
    var y = SIMD8<Float>(repeating: 1.987_569_15e-4)
    y = y * r + 1.398_199_95e-3
    y = y * r + 8.333_451_9e-3
    y = y * r + 4.166_579_6e-2
    y = y * r + 1.666_666_55e-1
    y = y * r + 5.000_000_1e-1
    y = y * (r * r) + r + 1
    let n = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- unsafeBitCast(magic, to: SIMD8<Int32>.self)
    return y * unsafeBitCast((n &+ 127) &<< 23, to: SIMD8<Float>.self)
}

/// `tanh` through `fastExp`: `1 - 2 / (exp(2u) + 1)` (saturates correctly at both ends).
@inline(__always)
func fastTanh(_ u: SIMD8<Float>) -> SIMD8<Float> {
    1 - 2 / (fastExp(2 * u) + 1)
}

/// Loads up to 8 floats (missing lanes get `fill`).
@inline(__always)
func load8(_ p: UnsafePointer<Float>, _ n: Int, fill: Float = 0) -> SIMD8<Float> {
    if n >= 8 { return UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self) }
    var v = SIMD8<Float>(repeating: fill)
    for i in 0..<n { v[i] = p[i] }
    return v
}

/// Stores the first `n` (at most 8) lanes.
@inline(__always)
func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>, _ n: Int) {
    if n >= 8 { UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self); return }
    for i in 0..<n { p[i] = v[i] }
}

/// Runs `body` over `0..<count` split into contiguous ranges across `Parallelism.workers` cores when the work is
/// large enough to pay for the dispatch (below `grain` elements, or on one worker, it runs inline). A few ranges
/// per core let a core that other processes slow down hand its share to the other.
func parallelRanges(_ count: Int, grain: Int = 1 << 15, _ body: @Sendable (Range<Int>) -> Void) {
    let chunks = min(max(count / grain, 1), 4 * Parallelism.workers)
    if chunks == 1 || Parallelism.workers == 1 { body(0..<count); return }
    let size = (count + chunks - 1) / chunks
    Parallelism.forEach(chunks) { c in
        let lo = c * size, hi = min(lo + size, count)
        if lo < hi { body(lo..<hi) }
    }
}

/// A raw pointer captured by a parallel loop whose iterations write disjoint ranges.
/// `@unchecked Sendable`: the disjointness comes from `parallelRanges`, not from the type system.
struct SendablePointer: @unchecked Sendable {
    let p: UnsafeMutablePointer<Float>
    init(_ p: UnsafeMutablePointer<Float>) { self.p = p }
}

/// `y[i] = f(x[i])` over `count` elements, eight lanes at a time, in parallel over ranges: the loop of every
/// element-wise forward.
@inline(__always)
func mapLanes(_ count: Int, _ x: SendablePointer, into y: SendablePointer,
              _ f: @Sendable (SIMD8<Float>) -> SIMD8<Float>) {
    parallelRanges(count) { r in
        var i = r.lowerBound
        while i < r.upperBound {
            let n = min(8, r.upperBound - i)
            store8(f(load8(x.p + i, n)), y.p + i, n)
            i += 8
        }
    }
}

/// `z[i] = f(x[i], y[i])` over `count` elements, eight lanes at a time, in parallel over ranges (`z` may alias `x`
/// or `y`): residual adds forward and backward.
@inline(__always)
func zipLanes(_ count: Int, _ x: SendablePointer, _ y: SendablePointer, into z: SendablePointer,
              _ f: @Sendable (SIMD8<Float>, SIMD8<Float>) -> SIMD8<Float>) {
    parallelRanges(count) { r in
        var i = r.lowerBound
        while i < r.upperBound {
            let n = min(8, r.upperBound - i)
            store8(f(load8(x.p + i, n), load8(y.p + i, n)), z.p + i, n)
            i += 8
        }
    }
}

/// `dx[i] += dy[i] * derivative(x[i])` over `count` elements, eight lanes at a time, in parallel: the loop of every
/// element-wise backward. With `accumulate == false` it stores `dy[i] * derivative(x[i])` instead (the first
/// contribution to a gradient buffer, which then needs no zeroing; see `Tape.gradTarget`).
@inline(__always)
func accumulateLanes(_ count: Int, x: SendablePointer, dy: SendablePointer, into dx: SendablePointer,
                     accumulate: Bool, _ derivative: @Sendable (SIMD8<Float>) -> SIMD8<Float>) {
    parallelRanges(count) { r in
        var i = r.lowerBound
        while i < r.upperBound {
            let n = min(8, r.upperBound - i)
            let contribution = load8(dy.p + i, n) * derivative(load8(x.p + i, n))
            store8(accumulate ? load8(dx.p + i, n) + contribution : contribution, dx.p + i, n)
            i += 8
        }
    }
}
