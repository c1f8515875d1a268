/// A fully connected layer `y = x W^T + b`, parameters `<name>.weight` `[out, in]` and `<name>.bias` `[out]`.
public struct Linear: Sendable {
    /// `[out, in]`, initialised N(0, std).
    public let weight: Parameter
    /// `[out]`, initialised 0; nil without bias.
    public let bias: Parameter?

    /// Registers the layer's parameters in `store` under `name`.
    public init(_ store: ParameterStore, _ name: String, inFeatures: Int, outFeatures: Int, bias: Bool = true,
                std: Float = 0.02, rng: inout SplitMix64) {
        var r = rng
        weight = store.register("\(name).weight", shape: Shape(outFeatures, inFeatures)) { _ in std * r.nextNormal() }
        rng = r
        self.bias = bias ? store.register("\(name).bias", shape: Shape(outFeatures), decay: false) { _ in 0 } : nil
    }

    /// Applies the layer over the last dimension of `x`.
    public func callAsFunction(_ tape: Tape, _ x: Tensor) -> Tensor {
        tape.linear(x, tape.param(weight), bias.map { tape.param($0) })
    }
}

/// A token (or position) embedding table `<name>.weight` `[count, dim]`.
public struct Embedding: Sendable {
    /// `[count, dim]`, initialised N(0, std).
    public let weight: Parameter

    /// Registers the table in `store` under `name`.
    public init(_ store: ParameterStore, _ name: String, count: Int, dim: Int, std: Float = 0.02,
                rng: inout SplitMix64) {
        var r = rng
        weight = store.register("\(name).weight", shape: Shape(count, dim), decay: false) { _ in std * r.nextNormal() }
        rng = r
    }

    /// Looks up `ids` of shape `idsShape` (e.g. `[B, T]`), giving `[..., dim]`.
    public func callAsFunction(_ tape: Tape, _ ids: [Int32], shape idsShape: Shape) -> Tensor {
        tape.embedding(tape.param(weight), ids: ids, shape: idsShape)
    }
}

/// Which normalisation a transformer uses.
public enum NormKind: String, Sendable, Codable {
    /// RMSNorm (weight only).
    case rms
    /// LayerNorm (weight and bias).
    case layer
}

/// RMSNorm or LayerNorm over the last dimension: `<name>.weight` (ones) and, for LayerNorm, `<name>.bias` (zeros).
public struct Norm: Sendable {
    /// Which normalisation.
    public let kind: NormKind
    /// Scale, `[dim]`.
    public let weight: Parameter
    /// Shift, `[dim]` (LayerNorm only).
    public let bias: Parameter?
    /// Added to the variance.
    public let eps: Float

    /// Registers the norm's parameters in `store` under `name`.
    public init(_ store: ParameterStore, _ name: String, kind: NormKind, dim: Int, eps: Float = 1e-5) {
        self.kind = kind
        self.eps = eps
        weight = store.register("\(name).weight", shape: Shape(dim), decay: false) { _ in 1 }
        bias = kind == .layer ? store.register("\(name).bias", shape: Shape(dim), decay: false) { _ in 0 } : nil
    }

    /// Normalises `x` over its last dimension.
    public func callAsFunction(_ tape: Tape, _ x: Tensor) -> Tensor {
        switch kind {
        case .rms: tape.rmsNorm(x, weight: tape.param(weight), eps: eps)
        case .layer: tape.layerNorm(x, weight: tape.param(weight), bias: tape.param(bias!), eps: eps)
        }
    }
}
