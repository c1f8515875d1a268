/// Shape and options of a stack of pre-norm transformer blocks.
public struct TransformerConfiguration: Sendable, Codable, Equatable {
    /// Model width.
    public var dModel: Int
    /// Attention heads (`dModel` must be a multiple).
    public var heads: Int
    /// Hidden width of the MLP.
    public var mlpHidden: Int
    /// Number of blocks.
    public var layers: Int
    /// Normalisation used before attention, before the MLP and at the end.
    public var norm: NormKind
    /// Causal (decoder) or bidirectional (encoder) attention.
    public var causal: Bool
    /// Whether linear layers have biases.
    public var bias: Bool
    /// Rotary position embedding of queries and keys with this base (`Tape.rotary`), or nil for none (positions
    /// then come from elsewhere, e.g. learned position embeddings added to the input).
    public var rotaryBase: Float?

    /// A configuration; defaults are the reference decoder's options.
    public init(dModel: Int, heads: Int, mlpHidden: Int, layers: Int, norm: NormKind = .rms, causal: Bool = true,
                bias: Bool = false, rotaryBase: Float? = nil) {
        precondition(dModel % heads == 0, "dModel \(dModel) must be a multiple of heads \(heads)")
        precondition(rotaryBase == nil || (dModel / heads) % 2 == 0, "rotary needs an even head width")
        self.dModel = dModel
        self.heads = heads
        self.mlpHidden = mlpHidden
        self.layers = layers
        self.norm = norm
        self.causal = causal
        self.bias = bias
        self.rotaryBase = rotaryBase
    }
}

/// Multi-head self-attention: `<name>.q_proj`, `k_proj`, `v_proj`, `o_proj`.
public struct MultiHeadAttention: Sendable {
    /// Projections.
    public let qProj, kProj, vProj, oProj: Linear
    /// Number of heads.
    public let heads: Int
    /// Causal mask or none.
    public let causal: Bool
    /// The rotary base applied to queries and keys, if any.
    public let rotaryBase: Float?

    /// Registers the projections in `store` under `name`; `o_proj` is scaled by `1/sqrt(2 layers)` (GPT-2).
    public init(_ store: ParameterStore, _ name: String, _ c: TransformerConfiguration, rng: inout SplitMix64) {
        let d = c.dModel
        qProj = Linear(store, "\(name).q_proj", inFeatures: d, outFeatures: d, bias: c.bias, rng: &rng)
        kProj = Linear(store, "\(name).k_proj", inFeatures: d, outFeatures: d, bias: c.bias, rng: &rng)
        vProj = Linear(store, "\(name).v_proj", inFeatures: d, outFeatures: d, bias: c.bias, rng: &rng)
        oProj = Linear(store, "\(name).o_proj", inFeatures: d, outFeatures: d, bias: c.bias,
                       std: 0.02 / Float(2 * max(c.layers, 1)).squareRoot(), rng: &rng)
        heads = c.heads
        causal = c.causal
        rotaryBase = c.rotaryBase
    }

    /// Self-attention over `x` `[B, T, D]`; with a `cache` (inference, causal), over the cached positions too
    /// (the rows of `x` then stand at positions `cache.length...`).
    public func callAsFunction(_ tape: Tape, _ x: Tensor, cache: KVCache? = nil) -> Tensor {
        var q = qProj(tape, x), k = kProj(tape, x)
        let v = vProj(tape, x)
        if let rotaryBase {
            let start = cache?.length ?? 0
            q = tape.rotary(q, heads: heads, start: start, base: rotaryBase)
            k = tape.rotary(k, heads: heads, start: start, base: rotaryBase)
        }
        let a = cache.map { tape.cachedAttention(q: q, k: k, v: v, heads: heads, cache: $0) }
            ?? tape.attention(q: q, k: k, v: v, heads: heads, causal: causal)
        return oProj(tape, a)
    }
}

/// The feed-forward block `down_proj(gelu_tanh(up_proj(x)))`.
public struct MLP: Sendable {
    /// `[hidden, d]` and `[d, hidden]`.
    public let upProj, downProj: Linear

    /// Registers `<name>.up_proj` and `<name>.down_proj` in `store`.
    public init(_ store: ParameterStore, _ name: String, _ c: TransformerConfiguration, rng: inout SplitMix64) {
        upProj = Linear(store, "\(name).up_proj", inFeatures: c.dModel, outFeatures: c.mlpHidden, bias: c.bias,
                        rng: &rng)
        downProj = Linear(store, "\(name).down_proj", inFeatures: c.mlpHidden, outFeatures: c.dModel, bias: c.bias,
                          std: 0.02 / Float(2 * max(c.layers, 1)).squareRoot(), rng: &rng)
    }

    /// Applies the MLP over the last dimension.
    public func callAsFunction(_ tape: Tape, _ x: Tensor) -> Tensor {
        downProj(tape, tape.gelu(upProj(tape, x)))
    }
}

/// A pre-norm block: `x + attn(attn_norm(x))`, then `x + mlp(mlp_norm(x))`.
public struct TransformerBlock: Sendable {
    /// Norm before attention (`<name>.attn_norm`).
    public let attnNorm: Norm
    /// Self-attention (`<name>.attn`).
    public let attn: MultiHeadAttention
    /// Norm before the MLP (`<name>.mlp_norm`).
    public let mlpNorm: Norm
    /// Feed-forward (`<name>.mlp`).
    public let mlp: MLP

    /// Registers the block's parameters under `name`, e.g. `layers.0`.
    public init(_ store: ParameterStore, _ name: String, _ c: TransformerConfiguration, rng: inout SplitMix64) {
        attnNorm = Norm(store, "\(name).attn_norm", kind: c.norm, dim: c.dModel)
        attn = MultiHeadAttention(store, "\(name).attn", c, rng: &rng)
        mlpNorm = Norm(store, "\(name).mlp_norm", kind: c.norm, dim: c.dModel)
        mlp = MLP(store, "\(name).mlp", c, rng: &rng)
    }

    /// Applies the block to `x` `[B, T, D]` (with `cache`: incremental decoding).
    public func callAsFunction(_ tape: Tape, _ x: Tensor, cache: KVCache? = nil) -> Tensor {
        let h = tape.add(x, attn(tape, attnNorm(tape, x), cache: cache))
        return tape.add(h, mlp(tape, mlpNorm(tape, h)))
    }
}

/// `layers.0 ... layers.{n-1}` followed by a final norm `<prefix>norm`.
public struct TransformerStack: Sendable {
    /// The blocks.
    public let blocks: [TransformerBlock]
    /// The final norm.
    public let finalNorm: Norm

    /// Registers `<prefix>layers.i.*` and `<prefix>norm.*` in `store`.
    public init(_ store: ParameterStore, prefix: String = "", _ c: TransformerConfiguration, rng: inout SplitMix64) {
        var blocks: [TransformerBlock] = []
        for i in 0..<c.layers { blocks.append(TransformerBlock(store, "\(prefix)layers.\(i)", c, rng: &rng)) }
        self.blocks = blocks
        finalNorm = Norm(store, "\(prefix)norm", kind: c.norm, dim: c.dModel)
    }

    /// Runs every block then the final norm; `caches` (one per block) switch to incremental decoding.
    public func callAsFunction(_ tape: Tape, _ x: Tensor, caches: [KVCache]? = nil) -> Tensor {
        precondition(caches == nil || caches!.count == blocks.count, "need one KVCache per block (\(blocks.count))")
        var h = x
        for (i, b) in blocks.enumerated() { h = b(tape, h, cache: caches?[i]) }
        return finalNorm(tape, h)
    }
}

/// A small decoder-only language model: token embeddings, learned position embeddings added to them (unless the
/// stack rotates queries and keys, `TransformerConfiguration.rotaryBase`), a pre-norm transformer stack and an
/// untied `lm_head` (the reference configuration of the `train-step` benchmark).
public struct DecoderLM: Sendable {
    /// Stack options.
    public let configuration: TransformerConfiguration
    /// `tok_embeddings.weight` `[vocab, d]`.
    public let tokens: Embedding
    /// `pos_embeddings.weight` `[context, d]`; nil with rotary positions.
    public let positions: Embedding?
    /// The blocks and final norm.
    public let stack: TransformerStack
    /// `lm_head.weight` `[vocab, d]`.
    public let head: Linear
    /// Maximum sequence length.
    public let context: Int

    /// Registers all parameters in `store`, initialised from `seed`.
    public init(_ store: ParameterStore, _ c: TransformerConfiguration, vocab: Int, context: Int, seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        configuration = c
        self.context = context
        tokens = Embedding(store, "tok_embeddings", count: vocab, dim: c.dModel, rng: &rng)
        positions = c.rotaryBase == nil ? Embedding(store, "pos_embeddings", count: context, dim: c.dModel, rng: &rng)
            : nil
        stack = TransformerStack(store, c, rng: &rng)
        head = Linear(store, "lm_head", inFeatures: c.dModel, outFeatures: vocab, bias: false, rng: &rng)
    }

    /// Logits `[B, P + T, vocab]` for token ids `[B, T]` (row-major), optionally after `prefix` `[B, P, d]`
    /// (e.g. projected image patches); positions count from the first prefix element.
    ///
    /// With `caches` (from `makeCaches`), this is one incremental decoding step: the new positions start at the
    /// caches' length, attend to everything cached, and are appended to the caches (no gradients).
    public func callAsFunction(_ tape: Tape, ids: [Int32], batch: Int, length: Int, prefix: Tensor? = nil,
                               caches: [KVCache]? = nil) -> Tensor {
        var x = tokens(tape, ids, shape: Shape(batch, length))
        if let prefix { x = tape.concatSequence(prefix, x) }
        let start = caches?.first?.length ?? 0, total = x.shape[1]
        precondition(start + total <= context, "sequence length \(start + total) exceeds context \(context)")
        if let positions {
            let table = tape.reshape(tape.param(positions.weight), Shape(1, context, configuration.dModel))
            let pos = tape.sliceSequence(table, start: start, length: total)
            x = tape.add(x, tape.reshape(pos, Shape(total, configuration.dModel)))
        }
        return head(tape, stack(tape, x, caches: caches))
    }

    /// One empty `KVCache` per block, for decoding `batch` sequences of up to `capacity` positions (default: the
    /// whole context).
    public func makeCaches(batch: Int, capacity: Int? = nil) -> [KVCache] {
        let capacity = min(capacity ?? context, context)
        return stack.blocks.map { _ in KVCache(batch: batch, capacity: capacity, dModel: configuration.dModel) }
    }
}
