/// Keys and values of one attention layer for incremental (token by token) decoding: `[B, capacity, D]` each.
/// Owned by one decoding loop at a time (raw buffers), hence not `Sendable`.
///
/// A cache may share a prefix: every row then starts with the filled positions of one row of a parent cache (a
/// prompt prefilled once), which are read in place, never copied — the samples of one prompt attend to its keys
/// and values with one matrix product per prompt and head, and hold only their own continuations.
public final class KVCache {
    /// Sequences decoded together.
    public let batch: Int
    /// Positions this cache can hold itself (after the shared prefix, if any).
    public let capacity: Int
    /// Model width (all heads side by side).
    public let dModel: Int
    /// Positions every row reads from its parent row (0 without a parent).
    public let sharedLength: Int
    /// Positions filled in this cache's own buffers.
    public private(set) var ownLength = 0
    /// Positions of every row: the shared prefix plus its own.
    public var length: Int { sharedLength + ownLength }
    let keys: UnsafeMutablePointer<Float>
    let values: UnsafeMutablePointer<Float>
    /// The cache holding the shared prefix, and for each run of consecutive rows with the same parent row: that
    /// parent row, the first row and the number of rows.
    let parent: KVCache?
    let runs: [(parentRow: Int, start: Int, count: Int)]
    /// The parent row of each row (empty without a parent).
    let parentRows: [Int]

    /// An empty cache.
    public init(batch: Int, capacity: Int, dModel: Int) {
        self.batch = batch
        self.capacity = capacity
        self.dModel = dModel
        keys = .allocate(capacity: batch * capacity * dModel)
        values = .allocate(capacity: batch * capacity * dModel)
        sharedLength = 0
        parent = nil
        runs = []
        parentRows = []
    }

    /// A cache of `rows.count` sequences whose row `i` continues row `rows[i]` of `prefix` (its filled positions,
    /// shared, not copied), with room for `capacity` positions of its own. `prefix` must not grow afterwards and
    /// must not itself share a prefix. List the rows of one parent row together (`[0, 0, 0, 1, 1, ...]`): each run
    /// of equal rows reads the prefix with one matrix product.
    public init(sharingPrefixOf prefix: KVCache, rows: [Int], capacity: Int) {
        precondition(prefix.parent == nil, "KVCache: a shared prefix cannot itself share a prefix")
        precondition(rows.allSatisfy { $0 >= 0 && $0 < prefix.batch },
                     "KVCache: rows must index the prefix cache's \(prefix.batch) sequences")
        batch = rows.count
        self.capacity = capacity
        dModel = prefix.dModel
        keys = .allocate(capacity: batch * capacity * dModel)
        values = .allocate(capacity: batch * capacity * dModel)
        sharedLength = prefix.length
        parent = prefix
        var runs: [(parentRow: Int, start: Int, count: Int)] = []
        for (i, row) in rows.enumerated() {
            if let last = runs.last, last.parentRow == row { runs[runs.count - 1].count += 1 } else {
                runs.append((row, i, 1))
            }
        }
        self.runs = runs
        parentRows = rows
    }

    /// A cache of this one's `rows` only, in that order (e.g. the sequences still being decoded): their own
    /// positions are copied, a shared prefix stays shared.
    public func keeping(rows: [Int]) -> KVCache {
        precondition(rows.allSatisfy { $0 >= 0 && $0 < batch }, "KVCache.keeping: rows must index the \(batch) rows")
        let kept = parent.map { KVCache(sharingPrefixOf: $0, rows: rows.map { parentRows[$0] }, capacity: capacity) }
            ?? KVCache(batch: rows.count, capacity: capacity, dModel: dModel)
        let span = ownLength * dModel
        for (i, row) in rows.enumerated() {
            (kept.keys + i * capacity * dModel).update(from: keys + row * capacity * dModel, count: span)
            (kept.values + i * capacity * dModel).update(from: values + row * capacity * dModel, count: span)
        }
        kept.ownLength = ownLength
        return kept
    }

    deinit {
        keys.deallocate()
        values.deallocate()
    }

    /// Forgets every position of its own (the buffers are reused; a shared prefix stays).
    public func reset() { ownLength = 0 }

    func append(k: UnsafePointer<Float>, v: UnsafePointer<Float>, count: Int) {
        precondition(ownLength + count <= capacity, "KVCache full: \(ownLength) + \(count) > capacity \(capacity)")
        for b in 0..<batch {
            (keys + (b * capacity + ownLength) * dModel).update(from: k + b * count * dModel, count: count * dModel)
            (values + (b * capacity + ownLength) * dModel).update(from: v + b * count * dModel, count: count * dModel)
        }
        ownLength += count
    }
}

/// Raw pointers of one shared-prefix attention call, handed to the parallel workers.
private struct SharedPrefixPointers: @unchecked Sendable {
    var q, out, scores, keys, values, prefixKeys, prefixValues: UnsafeMutablePointer<Float>
}

extension Tape {
    /// Causal attention for inference: appends the new positions' `k`, `v` (`[B, Tn, D]`) to `cache`, then attends
    /// each new query in `q` to every cached position up to its own (a shared prefix included). The result carries
    /// no gradient.
    public func cachedAttention(q: Tensor, k: Tensor, v: Tensor, heads: Int, cache: KVCache) -> Tensor {
        precondition(q.shape.rank == 3 && q.shape == k.shape && q.shape == v.shape && q.shape[0] == cache.batch
                     && q.shape[2] == cache.dModel && q.shape[2] % heads == 0,
                     "cachedAttention: q \(q.shape) vs cache [\(cache.batch), _, \(cache.dModel)], heads \(heads)")
        if let parent = cache.parent {
            precondition(parent.length == cache.sharedLength, "cachedAttention: the shared prefix grew after sharing")
            return sharedPrefixAttention(q: q, k: k, v: v, heads: heads, cache: cache, prefix: parent)
        }
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

    /// `cachedAttention` over a cache with a shared prefix: per (run of rows with one parent row, head), the scores
    /// of all the run's queries against the prefix are one matrix product, and so is their weighted sum of its
    /// values; each row's own positions follow, as dot products for one new token per row (decoding) or as matrix
    /// products per row and head for several (scoring a continuation).
    private func sharedPrefixAttention(q: Tensor, k: Tensor, v: Tensor, heads: Int, cache: KVCache,
                                       prefix: KVCache) -> Tensor {
        let b = q.shape[0], tn = q.shape[1], d = q.shape[2], dh = d / heads
        let shared = cache.sharedLength, ownStart = cache.ownLength
        cache.append(k: val(k.id), v: val(v.id), count: tn)
        let total = shared + cache.ownLength, cap = cache.capacity, prefixCap = prefix.capacity
        let out = floats.allocate(q.shape.count)
        // Scores per head, all queries of all rows in order: [heads, B * Tn, total]; a run's rows are contiguous.
        let scores = floats.allocate(heads * b * tn * total)
        let ptr = SharedPrefixPointers(q: val(q.id), out: out, scores: scores, keys: cache.keys, values: cache.values,
                                       prefixKeys: prefix.keys, prefixValues: prefix.values)
        let scale = 1 / Float(dh).squareRoot()
        let runs = cache.runs
        // One work item per run, all heads: a row's own keys and values are read whole, once per step.
        Self.parallelSingleThreadedBLAS(runs.count) { item in
            let run = runs[item], queries = run.count * tn, firstQuery = run.start * tn
            let qRun = ptr.q + firstQuery * d, outRun = ptr.out + firstQuery * d
            func scores(_ h: Int) -> UnsafeMutablePointer<Float> { ptr.scores + (h * b * tn + firstQuery) * total }
            let prefixBase = run.parentRow * prefixCap * d
            for h in 0..<heads where shared > 0 {
                BLAS.sgemm(transA: false, transB: true, m: queries, n: shared, k: dh, alpha: scale, a: qRun + h * dh,
                           lda: d, b: ptr.prefixKeys + prefixBase + h * dh, ldb: d, beta: 0, c: scores(h), ldc: total)
            }
            let own = ownStart + tn
            if tn == 1 {
                // One query per row: its own positions are row-sized dot products, too small for GEMM calls.
                for i in 0..<queries {
                    let keys = ptr.keys + (run.start + i) * cap * d, query = qRun + i * d
                    for j in 0..<own {
                        for h in 0..<heads {
                            scores(h)[i * total + shared + j] = scale * dot(query + h * dh, keys + j * d + h * dh, dh)
                        }
                    }
                }
            } else {
                for r in 0..<run.count {
                    let keys = ptr.keys + (run.start + r) * cap * d
                    for h in 0..<heads {
                        BLAS.sgemm(transA: false, transB: true, m: tn, n: own, k: dh, alpha: scale,
                                   a: qRun + r * tn * d + h * dh, lda: d, b: keys + h * dh, ldb: d, beta: 0,
                                   c: scores(h) + r * tn * total + shared, ldc: total)
                    }
                }
            }
            for i in 0..<queries {
                let visible = shared + ownStart + i % tn + 1
                for h in 0..<heads {
                    let p = scores(h) + i * total
                    softmaxRow(p, p, visible)
                    if visible < total { (p + visible).update(repeating: 0, count: total - visible) }
                }
            }
            for h in 0..<heads {
                if shared > 0 {
                    BLAS.sgemm(transA: false, transB: false, m: queries, n: dh, k: shared, alpha: 1, a: scores(h),
                               lda: total, b: ptr.prefixValues + prefixBase + h * dh, ldb: d, beta: 0,
                               c: outRun + h * dh, ldc: d)
                } else {
                    for i in 0..<queries { (outRun + i * d + h * dh).update(repeating: 0, count: dh) }
                }
            }
            for r in 0..<run.count where tn > 1 {
                let values = ptr.values + (run.start + r) * cap * d
                for h in 0..<heads {
                    BLAS.sgemm(transA: false, transB: false, m: tn, n: dh, k: own, alpha: 1,
                               a: scores(h) + r * tn * total + shared, lda: total, b: values + h * dh, ldb: d,
                               beta: 1, c: outRun + r * tn * d + h * dh, ldc: d)
                }
            }
            for i in 0..<queries where tn == 1 {
                let values = ptr.values + (run.start + i) * cap * d, o = outRun + i * d
                for j in 0..<own {
                    for h in 0..<heads {
                        addScaled(scores(h)[i * total + shared + j], values + j * d + h * dh, into: o + h * dh, dh)
                    }
                }
            }
        }
        return append(Node(value: out, grad: nil, shape: q.shape, op: .leaf, requiresGrad: false))
    }
}

/// `a · b` over `n` floats.
private func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = SIMD8<Float>()
    var i = 0
    while i < n {
        acc += load8(a + i, n - i) * load8(b + i, n - i)
        i += 8
    }
    return acc.sum()
}

/// `out += w * x` over `n` floats.
private func addScaled(_ w: Float, _ x: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, _ n: Int) {
    var i = 0
    while i < n {
        store8(load8(out + i, n - i) + w * load8(x + i, n - i), out + i, n - i)
        i += 8
    }
}
