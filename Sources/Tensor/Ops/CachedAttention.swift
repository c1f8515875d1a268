/// Keys and values of one attention layer for incremental (token by token) decoding: `[B, capacity, D]` each.
/// Owned by one decoding loop at a time (raw buffers), hence not `Sendable`.
public final class KVCache {
    /// Sequences decoded together.
    public let batch: Int
    /// Maximum positions held.
    public let capacity: Int
    /// Model width (all heads side by side).
    public let dModel: Int
    /// Positions filled so far.
    public private(set) var length = 0
    let keys: UnsafeMutablePointer<Float>
    let values: UnsafeMutablePointer<Float>

    /// An empty cache.
    public init(batch: Int, capacity: Int, dModel: Int) {
        self.batch = batch
        self.capacity = capacity
        self.dModel = dModel
        keys = .allocate(capacity: batch * capacity * dModel)
        values = .allocate(capacity: batch * capacity * dModel)
    }

    /// A cache of `rows.count` sequences whose row `i` is a copy of `source`'s row `rows[i]` (its filled positions),
    /// with room for `capacity` positions (default: the source's). Lets N samples of one prompt continue from one
    /// prefill of that prompt: run the prompt once, then gather its row N times.
    public convenience init(gathering rows: [Int], from source: KVCache, capacity: Int? = nil) {
        let capacity = capacity ?? source.capacity
        precondition(capacity >= source.length, "KVCache gather: capacity \(capacity) < length \(source.length)")
        precondition(rows.allSatisfy { $0 >= 0 && $0 < source.batch },
                     "KVCache gather: rows must index the source's \(source.batch) sequences")
        self.init(batch: rows.count, capacity: capacity, dModel: source.dModel)
        let span = source.length * dModel
        for (i, row) in rows.enumerated() {
            (keys + i * capacity * dModel).update(from: source.keys + row * source.capacity * dModel, count: span)
            (values + i * capacity * dModel).update(from: source.values + row * source.capacity * dModel, count: span)
        }
        length = source.length
    }

    deinit {
        keys.deallocate()
        values.deallocate()
    }

    /// Forgets every position (the buffers are reused).
    public func reset() { length = 0 }

    func append(k: UnsafePointer<Float>, v: UnsafePointer<Float>, count: Int) {
        precondition(length + count <= capacity, "KVCache full: \(length) + \(count) > capacity \(capacity)")
        for b in 0..<batch {
            (keys + (b * capacity + length) * dModel).update(from: k + b * count * dModel, count: count * dModel)
            (values + (b * capacity + length) * dModel).update(from: v + b * count * dModel, count: count * dModel)
        }
        length += count
    }
}

extension Tape {
    /// Causal attention for inference: appends the new positions' `k`, `v` (`[B, Tn, D]`) to `cache`, then attends
    /// each new query in `q` to every cached position up to its own. The result carries no gradient.
    public func cachedAttention(q: Tensor, k: Tensor, v: Tensor, heads: Int, cache: KVCache) -> Tensor {
        precondition(q.shape.rank == 3 && q.shape == k.shape && q.shape == v.shape && q.shape[0] == cache.batch
                     && q.shape[2] == cache.dModel && q.shape[2] % heads == 0,
                     "cachedAttention: q \(q.shape) vs cache [\(cache.batch), _, \(cache.dModel)], heads \(heads)")
        let b = q.shape[0], tn = q.shape[1], d = q.shape[2], dh = d / heads
        let start = cache.length
        cache.append(k: val(k.id), v: val(v.id), count: tn)
        let total = start + tn, cap = cache.capacity
        let out = floats.allocate(q.shape.count)
        let scores = floats.allocate(b * heads * tn * total)
        let ptr = AttentionPointers(q: val(q.id), k: cache.keys, v: cache.values, out: out, probs: scores)
        let scale = 1 / Float(dh).squareRoot()
        Self.parallelSingleThreadedBLAS(b * heads) { item in
            let bi = item / heads, h = item % heads
            let qBase = bi * tn * d + h * dh, kvBase = bi * cap * d + h * dh
            let p = ptr.probs + item * tn * total
            BLAS.sgemm(transA: false, transB: true, m: tn, n: total, k: dh, alpha: scale, a: ptr.q + qBase, lda: d,
                       b: ptr.k + kvBase, ldb: d, beta: 0, c: p, ldc: total)
            for i in 0..<tn {
                let row = p + i * total, n = start + i + 1
                softmaxRow(row, row, n)
                if n < total { (row + n).update(repeating: 0, count: total - n) }
            }
            BLAS.sgemm(transA: false, transB: false, m: tn, n: dh, k: total, alpha: 1, a: p, lda: total,
                       b: ptr.v + kvBase, ldb: d, beta: 0, c: ptr.out + qBase, ldc: d)
        }
        return append(Node(value: out, grad: nil, shape: q.shape, op: .leaf, requiresGrad: false))
    }
}
