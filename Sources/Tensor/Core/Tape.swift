import Dispatch

/// Reverse-mode automatic differentiation: ops run eagerly and append a node; `backward` walks the nodes in
/// reverse. All activations, saved statistics and gradients come from arenas that `reset()` rewinds, so a training
/// step in steady state performs no per-op heap allocation.
///
/// A tape belongs to one training loop (it hands out raw pointers), hence not `Sendable`.
public final class Tape {
    /// The parameters this tape's `param(_:)` reads and whose gradients `backward` accumulates.
    public let parameters: ParameterStore
    var nodes: [Node] = []
    /// Rows per block of the causal attention kernels: each block's GEMMs stop at its last visible column, which
    /// skips most of the masked upper triangle (bidirectional attention is one block). Tests shrink it.
    var attentionRowBlock = 64
    /// When true, forward and backward time is accumulated per op kind into `profile` (costs a clock read per op).
    public var profiling = false
    /// Seconds spent per op kind, forward and backward, since profiling started (see `profiling`).
    public private(set) var profile: [String: (forward: Double, backward: Double)] = [:]
    private var lastStamp: UInt64 = 0
    private var lastOp: String?
    let floats = Arena<Float>()
    let ints = Arena<Int32>()

    /// A tape recording against `parameters`.
    public init(parameters: ParameterStore = ParameterStore()) {
        self.parameters = parameters
        nodes.reserveCapacity(1024)
    }

    /// Forgets every node and rewinds the arenas (parameter gradients are kept: see `ParameterStore.zeroGrads`).
    public func reset() {
        nodes.removeAll(keepingCapacity: true)
        floats.reset()
        ints.reset()
    }

    /// The number of recorded nodes.
    public var nodeCount: Int { nodes.count }

    // MARK: Leaves

    /// A leaf holding a copy of `values` (row-major, `shape.count` floats).
    public func input(_ values: [Float], shape: Shape, requiresGrad: Bool = false) -> Tensor {
        precondition(values.count == shape.count, "input has \(values.count) values for shape \(shape)")
        let p = floats.allocate(shape.count)
        values.withUnsafeBufferPointer { p.update(from: $0.baseAddress!, count: shape.count) }
        return append(Node(value: p, grad: nil, shape: shape, op: .leaf, requiresGrad: requiresGrad))
    }

    /// A leaf filled by `fill` writing into the arena (no intermediate array).
    public func input(shape: Shape, requiresGrad: Bool = false,
                      fill: (UnsafeMutableBufferPointer<Float>) -> Void) -> Tensor {
        let p = floats.allocate(shape.count)
        fill(UnsafeMutableBufferPointer(start: p, count: shape.count))
        return append(Node(value: p, grad: nil, shape: shape, op: .leaf, requiresGrad: requiresGrad))
    }

    /// A leaf that reads the parameter's values in place and accumulates into its gradient in place.
    public func param(_ p: Parameter) -> Tensor {
        append(Node(value: parameters.values + p.offset, grad: parameters.grads + p.offset, shape: p.shape,
                    op: .leaf, requiresGrad: true, parameterGrad: true))
    }

    // MARK: Reading

    /// The values of `t` (valid until `reset()`).
    public func value(_ t: Tensor) -> UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: nodes[t.id].value, count: t.shape.count)
    }

    /// The values of `t` copied into an array.
    public func array(_ t: Tensor) -> [Float] { Array(value(t)) }

    /// The gradient of `t` after `backward`, or nil if `t` does not require one.
    public func grad(_ t: Tensor) -> [Float]? {
        guard let g = nodes[t.id].grad else { return nil }
        if !nodes[t.id].parameterGrad && !nodes[nodes[t.id].gradOwner].gradReady {
            return [Float](repeating: 0, count: t.shape.count)  // nothing flowed into it
        }
        return Array(UnsafeBufferPointer(start: g, count: t.shape.count))
    }

    /// The first element of `t` (for scalars such as a loss).
    public func scalar(_ t: Tensor) -> Float { nodes[t.id].value[0] }

    // MARK: Recording

    func append(_ node: Node) -> Tensor {
        if profiling { stampForward(next: node.op.name) }
        nodes.append(node)
        return Tensor(id: nodes.count - 1, shape: node.shape)
    }

    /// A new node of `shape` computed from `inputs`; its value buffer is uninitialised.
    func result(_ shape: Shape, _ op: Op, _ a: Int, _ b: Int = -1, _ c: Int = -1)
        -> (Tensor, UnsafeMutablePointer<Float>) {
        let rg = (a >= 0 && nodes[a].requiresGrad) || (b >= 0 && nodes[b].requiresGrad)
            || (c >= 0 && nodes[c].requiresGrad)
        let p = floats.allocate(shape.count)
        return (append(Node(value: p, grad: nil, shape: shape, op: op, requiresGrad: rg)), p)
    }

    /// Attributes the time since the previous op was recorded to that op (its forward kernel ran in between).
    private func stampForward(next: String?) {
        let now = DispatchTime.now().uptimeNanoseconds
        if let lastOp { profile[lastOp, default: (0, 0)].forward += Double(now - lastStamp) / 1e9 }
        lastStamp = now
        lastOp = next
    }

    /// Clears the accumulated profile.
    public func resetProfile() { profile = [:]; lastOp = nil }

    @inline(__always) func val(_ i: Int) -> UnsafeMutablePointer<Float> { nodes[i].value }
    /// The gradient buffer of node `i` for a contribution that adds (`+=`); the first contribution of a backward
    /// pass finds it zeroed. Nil when `i` is -1 or needs no gradient.
    @inline(__always) func gradOf(_ i: Int) -> UnsafeMutablePointer<Float>? {
        guard let (g, accumulate) = gradTarget(i) else { return nil }
        if !accumulate { g.update(repeating: 0, count: nodes[i].shape.count) }
        return g
    }

    /// The gradient buffer of node `i` and whether a contribution must add to it (`accumulate`) or may store
    /// (the first contribution of this backward pass: its buffer is uninitialised). Kernels that can store (GEMMs
    /// with beta 0, element-wise backward) use this instead of `gradOf` and skip zeroing the buffer.
    @inline(__always) func gradTarget(_ i: Int) -> (pointer: UnsafeMutablePointer<Float>, accumulate: Bool)? {
        guard i >= 0, let g = nodes[i].grad else { return nil }
        if nodes[i].parameterGrad { return (g, true) }
        let owner = nodes[i].gradOwner
        if nodes[owner].gradReady { return (g, true) }
        nodes[owner].gradReady = true
        return (g, false)
    }

    // MARK: Backward

    /// Back-propagates from `output`, seeding its gradient with `seed` (default: all ones times `scale`, so a
    /// scalar loss gets d loss = `scale`, e.g. 1 / accumulation steps). Parameter gradients accumulate across
    /// calls; the gradients of other nodes (inputs, activations) hold this call's contribution only, so several
    /// losses recorded on one tape can be back-propagated one after the other.
    public func backward(_ output: Tensor, scale: Float = 1, seed: [Float]? = nil) {
        if profiling { stampForward(next: nil) }
        // Gradient buffers for every non-parameter node that needs one, left uninitialised (see `gradTarget`);
        // aliases share their source's buffer.
        for i in 0..<nodes.count where nodes[i].requiresGrad && !nodes[i].parameterGrad {
            if case .alias(let src) = nodes[i].op {
                nodes[i].grad = nodes[src].grad
                nodes[i].gradOwner = nodes[src].gradOwner
                // A reshaped parameter accumulates into the parameter's gradient like the parameter itself.
                nodes[i].parameterGrad = nodes[src].parameterGrad
            } else {
                nodes[i].grad = nodes[i].grad ?? floats.allocate(nodes[i].shape.count)
                nodes[i].gradOwner = i
            }
            nodes[i].gradReady = false
        }
        guard let g = gradOf(output.id) else { return }
        if let seed {
            precondition(seed.count == output.shape.count, "seed has \(seed.count) values for \(output.shape)")
            for i in 0..<seed.count { g[i] += seed[i] * scale }
        } else {
            for i in 0..<output.shape.count { g[i] += scale }
        }
        for i in stride(from: output.id, through: 0, by: -1) where nodes[i].requiresGrad {
            if profiling {
                let t0 = DispatchTime.now().uptimeNanoseconds
                backwardNode(i)
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
                profile[nodes[i].op.name, default: (0, 0)].backward += seconds
            } else {
                backwardNode(i)
            }
        }
    }

    private func backwardNode(_ i: Int) {
        let node = nodes[i]
        // A node nothing flowed into has a zero gradient: it contributes nothing to its inputs.
        guard let dy = node.grad, node.parameterGrad || nodes[node.gradOwner].gradReady else { return }
        switch node.op {
        case .leaf, .alias: break
        case let .linear(x, w, b): linearBackward(dy, x, w, b, node.shape)
        case let .matmul(a, b): matmulBackward(dy, a, b)
        case let .add(a, b): addBackward(dy, a, b)
        case let .mul(a, b): mulBackward(dy, a, b)
        case let .scale(a, f): if let da = gradOf(a) { for j in 0..<node.shape.count { da[j] += f * dy[j] } }
        case let .transposeLast2(a): transposeBackward(dy, a)
        case let .sliceSequence(a, start): sliceBackward(dy, a, start, node.shape)
        case let .concatSequence(a, b): concatBackward(dy, a, b)
        case let .embedding(table, ids): embeddingBackward(dy, table, ids, node.shape)
        case let .rmsNorm(x, w, rstd): rmsNormBackward(dy, x, w, rstd)
        case let .layerNorm(x, w, b, mean, rstd): layerNormBackward(dy, x, w, b, mean, rstd)
        case let .gelu(a): geluBackward(dy, a)
        case let .silu(a): siluBackward(dy, a)
        case let .softmax(a): softmaxBackward(dy, node.value, a)
        case let .attention(q, k, v, heads, causal, probs):
            attentionBackward(dy, q, k, v, heads, causal, probs)
        case let .rotary(a, heads, table): rotaryBackward(dy, a, heads, table)
        case let .crossEntropy(logits, targets, mask, lse, weight):
            crossEntropyBackward(dy[0], logits, targets, mask, lse, weight)
        case let .sequenceLogProbs(logits, targets, mask, lse):
            sequenceLogProbsBackward(dy, logits, targets, mask, lse)
        case let .logSigmoid(a): logSigmoidBackward(dy, a)
        case let .sum(a): if let da = gradOf(a) { for j in 0..<nodes[a].shape.count { da[j] += dy[0] } }
        case let .mean(a):
            if let da = gradOf(a) {
                let n = nodes[a].shape.count
                let g = dy[0] / Float(n)
                for j in 0..<n { da[j] += g }
            }
        }
    }
}
