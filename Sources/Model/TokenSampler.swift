import Foundation
import Tensor

/// How the next token is chosen from logits: greedy at temperature 0, otherwise softmax at `temperature`,
/// restricted to the `topK` most likely tokens and then to the smallest set whose mass reaches `topP`.
public struct SamplingOptions: Sendable, Equatable {
    /// Softmax temperature; 0 means greedy (argmax).
    public var temperature: Float
    /// Keep only the k most likely tokens (0 = no limit).
    public var topK: Int
    /// Keep the most likely tokens until their probability mass reaches this (1 = no limit).
    public var topP: Float

    /// Greedy decoding.
    public static let greedy = SamplingOptions(temperature: 0)

    /// Options; defaults sample from the full distribution at temperature 1.
    public init(temperature: Float = 1, topK: Int = 0, topP: Float = 1) {
        precondition(temperature >= 0, "temperature must be >= 0")
        precondition(topK >= 0, "topK must be >= 0")
        precondition(topP > 0 && topP <= 1, "topP must be in (0, 1]")
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
    }
}

/// Next-token choice from one row of logits.
public enum TokenSampler {
    /// The index of the largest logit (the first on ties).
    public static func argmax(_ logits: some Collection<Float>) -> Int {
        var best = 0, bestValue = -Float.infinity, i = 0
        for value in logits {
            if value > bestValue { best = i; bestValue = value }
            i += 1
        }
        return best
    }

    /// The candidate tokens and their renormalised probabilities after temperature, top-k and top-p, most likely
    /// first. (At temperature 0: the argmax with probability 1.)
    public static func distribution(_ logits: [Float], options: SamplingOptions) -> [(token: Int, probability: Float)] {
        if options.temperature == 0 { return [(argmax(logits), 1)] }
        var order = Array(logits.indices).sorted { logits[$0] > logits[$1] || (logits[$0] == logits[$1] && $0 < $1) }
        if options.topK > 0 && options.topK < order.count { order.removeLast(order.count - options.topK) }
        let top = logits[order[0]]
        var weights = order.map { exp(Double((logits[$0] - top) / options.temperature)) }
        let total = weights.reduce(0, +)
        var mass = 0.0, keep = 0
        for w in weights {  // smallest prefix whose mass reaches topP (always at least one token)
            mass += w / total
            keep += 1
            if mass >= Double(options.topP) { break }
        }
        weights.removeLast(weights.count - keep)
        let kept = weights.reduce(0, +)
        return zip(order, weights).map { ($0, Float($1 / kept)) }
    }

    /// Draws a token from `distribution(logits, options)` with `rng`.
    public static func sample(_ logits: [Float], options: SamplingOptions, rng: inout SplitMix64) -> Int {
        logits.withUnsafeBufferPointer { sample($0, options: options, rng: &rng) }
    }

    /// Draws a token from `distribution(logits, options)` with `rng`, reading the logits in place. Without top-k
    /// and top-p the order of the candidates does not matter, so the tokens are walked in index order, unsorted.
    public static func sample(_ logits: UnsafeBufferPointer<Float>, options: SamplingOptions,
                              rng: inout SplitMix64) -> Int {
        if options.temperature == 0 { return argmax(logits) }
        if options.topK == 0 && options.topP >= 1 {
            let top = logits.max() ?? 0, inverse = 1 / options.temperature
            return withUnsafeTemporaryAllocation(of: Double.self, capacity: logits.count) { weights in
                var total = 0.0
                for i in 0..<logits.count {
                    weights[i] = exp(Double((logits[i] - top) * inverse))
                    total += weights[i]
                }
                var u = Double(rng.nextUniform()) * total
                for i in 0..<logits.count {
                    u -= weights[i]
                    if u < 0 { return i }
                }
                return argmax(logits)  // rounding left a sliver of mass: the most likely token
            }
        }
        let candidates = distribution(Array(logits), options: options)
        var u = rng.nextUniform()
        for candidate in candidates {
            u -= candidate.probability
            if u < 0 { return candidate.token }
        }
        return candidates.last!.token
    }
}
