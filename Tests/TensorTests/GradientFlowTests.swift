import Testing
@testable import Tensor

/// How gradients flow into shared and unused buffers: a gradient buffer is not zeroed up front, the first
/// contribution of a backward pass stores and later ones add (see `Tape.gradTarget`).
@Suite struct GradientFlowTests {
    @Test func inputFeedingSeveralGEMMsAndElementwiseOpsSumsTheirContributions() {
        GradientCheck(seed: 41, shapes: [Shape(2, 3, 4), Shape(5, 4), Shape(4, 4)]).run { t, x in
            let h = t.linear(x[0], x[1])                              // x[0] and x[1] reach a GEMM here
            let r = t.add(x[0], t.silu(t.linear(x[0], x[2])))         // x[0] also feeds a residual add and a GEMM
            return t.add(t.linear(r, x[1]), t.gelu(h))                // x[1] is a second GEMM's weight
        }
    }

    @Test func residualAddOfATensorToItself() {
        GradientCheck(seed: 42, shapes: [Shape(3, 4)]).run { t, x in t.gelu(t.add(t.gelu(x[0]), t.gelu(x[0]))) }
        GradientCheck(seed: 43, shapes: [Shape(3, 4)]).run { t, x in t.add(x[0], x[0]) }
    }

    @Test(arguments: [true, false])
    func attentionWithQueriesKeysAndValuesFromOneBuffer(causal: Bool) {
        GradientCheck(seed: 44, shapes: [Shape(2, 4, 6)]).run { t, x in
            let shared = t.reshape(t.reshape(x[0], Shape(8, 6)), Shape(2, 4, 6))
            return t.attention(q: x[0], k: shared, v: x[0], heads: 2, causal: causal)
        }
    }

    @Test func aBranchNothingFlowsIntoContributesNothing() {
        let tape = Tape()
        // The second pass records the same ops, so its buffers are the first pass's, still holding its gradients.
        for useBranch in [true, false] {
            tape.reset()
            let x = tape.input([1, -2, 3], shape: Shape(3), requiresGrad: true)
            let unusedInput = tape.input([5, 6], shape: Shape(2), requiresGrad: true)
            let weight = tape.input([0.5, -1, 2], shape: Shape(1, 3), requiresGrad: true)
            let branch = tape.gelu(tape.linear(tape.reshape(x, Shape(1, 3)), weight))
            let main = tape.sum(tape.scale(x, 2))
            tape.backward(useBranch ? tape.add(tape.sum(branch), main) : main)
            if !useBranch {
                #expect(tape.grad(x) == [2, 2, 2])
                #expect(tape.grad(branch) == [0])
                #expect(tape.grad(weight) == [0, 0, 0])
                #expect(tape.grad(unusedInput) == [0, 0])
            }
        }
    }
}
