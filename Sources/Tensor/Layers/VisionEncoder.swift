/// LLaVA-1.5's projector from vision features to the language model's width: `Linear -> GELU -> Linear`, named like
/// the `nn.Sequential` it mirrors (`<name>.0.weight`/`.bias` `[out, in]`, `<name>.2.weight`/`.bias` `[out, out]`;
/// index 1 is the parameter-free GELU). The GELU is the tanh approximation, as everywhere in this engine.
public struct MLPProjector: Sendable {
    /// First linear layer (`<name>.0`), vision width to output width.
    public let first: Linear
    /// Second linear layer (`<name>.2`), output width to output width.
    public let second: Linear

    /// Registers `<name>.0.*` and `<name>.2.*` in `store`.
    public init(_ store: ParameterStore, _ name: String, inFeatures: Int, outFeatures: Int, rng: inout SplitMix64) {
        first = Linear(store, "\(name).0", inFeatures: inFeatures, outFeatures: outFeatures, rng: &rng)
        second = Linear(store, "\(name).2", inFeatures: outFeatures, outFeatures: outFeatures, rng: &rng)
    }

    /// Projects `x` over its last dimension.
    public func callAsFunction(_ tape: Tape, _ x: Tensor) -> Tensor {
        second(tape, tape.gelu(first(tape, x)))
    }
}

/// A small ViT: flattened image patches -> `patch_embed` linear + learned `patch_pos` -> bidirectional LayerNorm
/// transformer stack (`<prefix>layers.i.*`, `<prefix>norm`) -> `<prefix>projector`, a 2-layer GELU MLP to the
/// decoder width (`MLPProjector`).
public struct VisionEncoder: Sendable {
    /// Stack options (bidirectional attention).
    public let configuration: TransformerConfiguration
    /// `patch_embed` `[d, patchValues]`.
    public let patchEmbed: Linear
    /// `patch_pos.weight` `[patches, d]`.
    public let positions: Embedding
    /// The blocks and final norm.
    public let stack: TransformerStack
    /// `projector.0` `[outDim, d]`, GELU, `projector.2` `[outDim, outDim]`.
    public let projector: MLPProjector
    /// Patches per image.
    public let patches: Int

    /// Registers the encoder under `prefix` (e.g. `vision.`).
    public init(_ store: ParameterStore, prefix: String, _ c: TransformerConfiguration, patches: Int,
                patchValues: Int, outDim: Int, rng: inout SplitMix64) {
        configuration = c
        self.patches = patches
        patchEmbed = Linear(store, "\(prefix)patch_embed", inFeatures: patchValues, outFeatures: c.dModel, rng: &rng)
        positions = Embedding(store, "\(prefix)patch_pos", count: patches, dim: c.dModel, rng: &rng)
        stack = TransformerStack(store, prefix: prefix, c, rng: &rng)
        projector = MLPProjector(store, "\(prefix)projector", inFeatures: c.dModel, outFeatures: outDim, rng: &rng)
    }

    /// Image features `[B, patches, outDim]` from flattened patches `[B, patches, patchValues]`.
    public func callAsFunction(_ tape: Tape, _ patchValues: Tensor) -> Tensor {
        let x = tape.add(patchEmbed(tape, patchValues), tape.param(positions.weight))
        return projector(tape, stack(tape, x))
    }

    /// Splits row-major `[B, H, W, C]` pixels into `[B, (H/p)*(W/p), p*p*C]` patches (row-major patch order, each
    /// patch flattened as (row, col, channel)), the layout `patch_embed` expects.
    public static func patchify(_ pixels: [Float], batch: Int, height: Int, width: Int, channels: Int,
                                patch p: Int) -> [Float] {
        precondition(pixels.count == batch * height * width * channels && height % p == 0 && width % p == 0,
                     "patchify: \(pixels.count) pixels for [\(batch), \(height), \(width), \(channels)], patch \(p)")
        var out = [Float](repeating: 0, count: pixels.count)
        var o = 0
        for b in 0..<batch {
            for py in 0..<(height / p) {
                for px in 0..<(width / p) {
                    for y in 0..<p {
                        let start = ((b * height + py * p + y) * width + px * p) * channels
                        for j in 0..<(p * channels) { out[o] = pixels[start + j]; o += 1 }
                    }
                }
            }
        }
        return out
    }
}
