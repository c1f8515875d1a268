import Testing
@testable import Tensor

/// Finite-difference gradient checking: the loss is `sum_i w_i y_i` for fixed random weights `w`, accumulated in
/// Double from the Float forward pass; the analytic gradient is one backward pass seeded with `w`.
struct GradientCheck {
    var inputs: [(values: [Float], shape: Shape)]
    var step: Float = 1e-2
    var tolerance: Float = 2e-2

    init(seed: UInt64, shapes: [Shape]) {
        var rng = SplitMix64(seed: seed)
        inputs = shapes.map { s in ((0..<s.count).map { _ in rng.nextNormal() }, s) }
    }

    func loss(_ f: (Tape, [Tensor]) -> Tensor, _ values: [[Float]], _ weights: [Float]) -> Double {
        let tape = Tape()
        let ts = zip(values, inputs).map { tape.input($0.0, shape: $0.1.shape) }
        let y = tape.value(f(tape, ts))
        var l = 0.0
        for i in 0..<y.count { l += Double(weights[i]) * Double(y[i]) }
        return l
    }

    /// Checks every input element's gradient; `differentiable` selects which inputs to check.
    func run(differentiable: Set<Int>? = nil, _ f: (Tape, [Tensor]) -> Tensor,
             sourceLocation: SourceLocation = #_sourceLocation) {
        let tape = Tape()
        let ts = inputs.map { tape.input($0.values, shape: $0.shape, requiresGrad: true) }
        let y = f(tape, ts)
        var rng = SplitMix64(seed: 99)
        let weights = (0..<y.shape.count).map { _ in rng.nextNormal() }
        tape.backward(y, seed: weights)
        var values = inputs.map(\.values)
        for (i, t) in ts.enumerated() where differentiable?.contains(i) ?? true {
            guard let analytic = tape.grad(t) else {
                Issue.record("input \(i) has no gradient", sourceLocation: sourceLocation)
                continue
            }
            for j in 0..<values[i].count {
                let x = values[i][j]
                values[i][j] = x + step
                let lp = loss(f, values, weights)
                values[i][j] = x - step
                let lm = loss(f, values, weights)
                values[i][j] = x
                let numeric = Float((lp - lm) / Double(2 * step))
                let err = abs(numeric - analytic[j])
                #expect(err <= tolerance * max(1, abs(numeric)),
                        "input \(i)[\(j)]: analytic \(analytic[j]) vs numeric \(numeric)",
                        sourceLocation: sourceLocation)
            }
        }
    }
}
