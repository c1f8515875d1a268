/// A handle to one value recorded on a `Tape`: valid until the tape's next `reset()`.
public struct Tensor: Sendable, Hashable {
    /// Index of the node on its tape.
    public let id: Int
    /// The tensor's shape.
    public let shape: Shape
}

/// The operation that produced a node, with what its backward pass needs. Saved statistics live in the tape's
/// arena and are referenced by pointer, so recording an op never allocates.
enum Op {
    case leaf
    case alias(Int)
    case linear(x: Int, w: Int, b: Int)
    case matmul(a: Int, b: Int)
    case add(a: Int, b: Int)
    case mul(a: Int, b: Int)
    case scale(a: Int, factor: Float)
    case transposeLast2(a: Int)
    case sliceSequence(a: Int, start: Int)
    case concatSequence(a: Int, b: Int)
    case embedding(table: Int, ids: UnsafeMutablePointer<Int32>)
    case rmsNorm(x: Int, w: Int, rstd: UnsafeMutablePointer<Float>)
    case layerNorm(x: Int, w: Int, b: Int, mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>)
    case gelu(a: Int)
    case silu(a: Int)
    case softmax(a: Int)
    case attention(q: Int, k: Int, v: Int, heads: Int, causal: Bool, probs: UnsafeMutablePointer<Float>)
    case rotary(a: Int, heads: Int, table: UnsafeMutablePointer<Float>)
    case crossEntropy(logits: Int, targets: UnsafeMutablePointer<Int32>, mask: UnsafeMutablePointer<Float>,
                      lse: UnsafeMutablePointer<Float>, weight: Float)
    case sequenceLogProbs(logits: Int, targets: UnsafeMutablePointer<Int32>, mask: UnsafeMutablePointer<Float>,
                          lse: UnsafeMutablePointer<Float>)
    case logSigmoid(a: Int)
    case sum(a: Int)
    case mean(a: Int)
}

/// One recorded value.
struct Node {
    var value: UnsafeMutablePointer<Float>
    var grad: UnsafeMutablePointer<Float>?
    var shape: Shape
    var op: Op
    var requiresGrad: Bool
    /// The gradient buffer belongs to a `ParameterStore` (accumulates across backward passes; never zeroed here).
    var parameterGrad = false
    /// The node whose gradient buffer this one uses (itself, or an alias's source), set by `backward`.
    var gradOwner = -1
    /// On a buffer owner: the buffer holds this backward pass's contributions (until then it is uninitialised,
    /// and the first contribution stores instead of adding, so no pass zeroes every gradient up front).
    var gradReady = false
}

extension Op {
    /// A short name of the op kind, for profiles.
    var name: String {
        switch self {
        case .leaf: "leaf"
        case .alias: "reshape"
        case .linear: "linear"
        case .matmul: "matmul"
        case .add: "add"
        case .mul: "mul"
        case .scale: "scale"
        case .transposeLast2: "transpose"
        case .sliceSequence: "slice"
        case .concatSequence: "concat"
        case .embedding: "embedding"
        case .rmsNorm: "rmsNorm"
        case .layerNorm: "layerNorm"
        case .gelu: "gelu"
        case .silu: "silu"
        case .softmax: "softmax"
        case .attention: "attention"
        case .rotary: "rotary"
        case .crossEntropy: "crossEntropy"
        case .sequenceLogProbs: "sequenceLogProbs"
        case .logSigmoid: "logSigmoid"
        case .sum: "sum"
        case .mean: "mean"
        }
    }
}
