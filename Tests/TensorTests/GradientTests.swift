import Foundation
import Testing
@testable import Tensor

/// Every differentiable op against finite differences, on small shapes.
@Suite struct GradientTests {
    @Test func linearWithAndWithoutBias() {
        GradientCheck(seed: 1, shapes: [Shape(2, 3, 4), Shape(5, 4), Shape(5)]).run { t, x in
            t.linear(x[0], x[1], x[2])
        }
        GradientCheck(seed: 2, shapes: [Shape(3, 4), Shape(2, 4)]).run { t, x in t.linear(x[0], x[1]) }
    }

    @Test func matmul() {
        GradientCheck(seed: 3, shapes: [Shape(3, 4), Shape(4, 5)]).run { t, x in t.matmul(x[0], x[1]) }
    }

    @Test func addAndMulBroadcastOverLeadingDims() {
        GradientCheck(seed: 4, shapes: [Shape(2, 3, 4), Shape(4)]).run { t, x in t.add(x[0], x[1]) }
        GradientCheck(seed: 5, shapes: [Shape(2, 3, 4), Shape(3, 4)]).run { t, x in t.mul(x[0], x[1]) }
        GradientCheck(seed: 6, shapes: [Shape(2, 3), Shape(2, 3)]).run { t, x in t.mul(t.add(x[0], x[1]), x[1]) }
    }

    @Test func scaleSumMean() {
        GradientCheck(seed: 7, shapes: [Shape(2, 3)]).run { t, x in t.scale(x[0], -1.5) }
        GradientCheck(seed: 8, shapes: [Shape(2, 3)]).run { t, x in t.sum(t.mul(x[0], x[0])) }
        GradientCheck(seed: 9, shapes: [Shape(2, 3)]).run { t, x in t.mean(t.mul(x[0], x[0])) }
    }

    @Test func subAndLogSigmoid() {
        GradientCheck(seed: 21, shapes: [Shape(2, 3), Shape(3)]).run { t, x in t.logSigmoid(t.sub(x[0], x[1])) }
        GradientCheck(seed: 22, shapes: [Shape(4)]).run { t, x in t.logSigmoid(t.scale(x[0], 30)) }
    }

    @Test func reshapeAndTranspose() {
        GradientCheck(seed: 10, shapes: [Shape(2, 3, 4)]).run { t, x in
            t.mul(t.transposeLast2(t.reshape(x[0], Shape(2, 4, 3))), t.transposeLast2(t.reshape(x[0], Shape(2, 4, 3))))
        }
    }

    @Test func sliceAndConcatAlongSequence() {
        GradientCheck(seed: 11, shapes: [Shape(2, 3, 2), Shape(2, 2, 2)]).run { t, x in
            let c = t.concatSequence(x[0], x[1])
            return t.mul(t.sliceSequence(c, start: 1, length: 3), t.sliceSequence(c, start: 2, length: 3))
        }
    }

    @Test func rotaryPositions() {
        GradientCheck(seed: 23, shapes: [Shape(2, 3, 8)]).run { t, x in t.rotary(x[0], heads: 2, start: 5) }
        // Rotated queries against rotated keys: the attention scores then depend on distances only.
        GradientCheck(seed: 24, shapes: [Shape(1, 4, 4), Shape(1, 4, 4), Shape(1, 4, 4)]).run { t, x in
            t.attention(q: t.rotary(x[0], heads: 1), k: t.rotary(x[1], heads: 1), v: x[2], heads: 1, causal: true)
        }
    }

    /// Rotation keeps norms, position 0 is the identity, and scores of rotated vectors depend on the distance only.
    @Test func rotaryScoresDependOnDistanceOnly() {
        let tape = Tape()
        let q = tape.input([0.3, -1.2, 0.7, 0.5], shape: Shape(1, 1, 4))
        let k = tape.input([1.1, 0.4, -0.6, 0.9], shape: Shape(1, 1, 4))
        func score(_ i: Int, _ j: Int) -> Float {
            let a = tape.array(tape.rotary(q, heads: 1, start: i)), b = tape.array(tape.rotary(k, heads: 1, start: j))
            return zip(a, b).map(*).reduce(0, +)
        }
        #expect(tape.array(tape.rotary(q, heads: 1, start: 0)) == tape.array(q))
        #expect(abs(score(7, 3) - score(14, 10)) < 1e-5 && abs(score(2, 2) - score(40, 40)) < 1e-5)
        #expect(abs(score(7, 3) - score(3, 7)) > 1e-3, "the score tells the two directions apart")
        func squaredNorm(_ values: [Float]) -> Float { values.map { $0 * $0 }.reduce(0, +) }
        let rotated = tape.array(tape.rotary(q, heads: 1, start: 9))
        #expect(abs(squaredNorm(rotated) - squaredNorm(tape.array(q))) < 1e-5)
    }

    @Test func embeddingLookup() {
        GradientCheck(seed: 12, shapes: [Shape(5, 3)]).run { t, x in
            let e = t.embedding(x[0], ids: [4, 1, 1, 0], shape: Shape(2, 2))
            return t.mul(e, e)
        }
    }

    @Test func norms() {
        GradientCheck(seed: 13, shapes: [Shape(2, 3, 5), Shape(5)]).run { t, x in t.rmsNorm(x[0], weight: x[1]) }
        GradientCheck(seed: 14, shapes: [Shape(3, 6), Shape(6), Shape(6)]).run { t, x in
            t.layerNorm(x[0], weight: x[1], bias: x[2])
        }
    }

    @Test func activationsAndSoftmax() {
        GradientCheck(seed: 15, shapes: [Shape(3, 4)]).run { t, x in t.gelu(x[0]) }
        GradientCheck(seed: 16, shapes: [Shape(3, 4)]).run { t, x in t.silu(x[0]) }
        GradientCheck(seed: 17, shapes: [Shape(3, 4)]).run { t, x in t.softmax(x[0]) }
    }

    @Test(arguments: [true, false])
    func attention(causal: Bool) {
        GradientCheck(seed: 18, shapes: [Shape(2, 4, 6), Shape(2, 4, 6), Shape(2, 4, 6)]).run { t, x in
            t.attention(q: x[0], k: x[1], v: x[2], heads: 2, causal: causal)
        }
    }

    @Test func blockedCausalAttentionEqualsOneBlock() {
        var rng = SplitMix64(seed: 31)
        let data = (0..<3).map { _ in (0..<(2 * 8 * 6)).map { _ in rng.nextNormal() } }
        let seed = (0..<(2 * 8 * 6)).map { _ in rng.nextNormal() }
        func run(_ block: Int) -> [[Float]] {
            let tape = Tape()
            tape.attentionRowBlock = block
            let x = data.map { tape.input($0, shape: Shape(2, 8, 6), requiresGrad: true) }
            let y = tape.attention(q: x[0], k: x[1], v: x[2], heads: 2, causal: true)
            tape.backward(y, seed: seed)
            return [tape.array(y)] + x.map { tape.grad($0)! }
        }
        let one = run(8), blocked = run(3)
        for (a, b) in zip(one, blocked) {
            for i in 0..<a.count { #expect(abs(a[i] - b[i]) < 1e-5) }
        }
    }

    @Test func maskedCrossEntropy() {
        GradientCheck(seed: 19, shapes: [Shape(2, 3, 5)]).run { t, x in
            t.crossEntropy(x[0], targets: [0, 4, 2, 1, 3, 3], mask: [1, 0, 1, 1, 0, 1])
        }
    }

    @Test func sequenceLogProbs() {
        GradientCheck(seed: 20, shapes: [Shape(2, 3, 5)]).run { t, x in
            t.sequenceLogProbs(x[0], targets: [0, 4, 2, 1, 3, 3], mask: [1, 0, 1, 1, 0, 1])
        }
    }
}

/// Forward values of simple ops against hand-computed results.
@Suite struct ForwardTests {
    @Test func crossEntropyIsMeanOverMaskedTokens() {
        let tape = Tape()
        let logits = tape.input([0, 0, 1, 0, 5, 5], shape: Shape(3, 2))
        let loss = tape.crossEntropy(logits, targets: [0, 0, 1], mask: [1, 1, 0])
        let l0 = Float(0.693_147_2), l1 = log1pf(expf(-1))
        #expect(abs(tape.scalar(loss) - (l0 + l1) / 2) < 1e-6)
    }

    @Test func causalAttentionFirstTokenCopiesItsValue() {
        let tape = Tape()
        var rng = SplitMix64(seed: 3)
        let make = { (rng: inout SplitMix64) in (0..<16).map { _ in rng.nextNormal() } }
        let q = tape.input(make(&rng), shape: Shape(1, 4, 4))
        let k = tape.input(make(&rng), shape: Shape(1, 4, 4))
        let vv = make(&rng)
        let v = tape.input(vv, shape: Shape(1, 4, 4))
        let out = tape.array(tape.attention(q: q, k: k, v: v, heads: 2, causal: true))
        for j in 0..<4 { #expect(abs(out[j] - vv[j]) < 1e-6) }
    }

    @Test func secondBackwardOnOneTapeDoesNotRepropagateTheFirst() {
        let store = ParameterStore()
        let w = store.register("w", shape: Shape(2)) { _ in 1 }
        let tape = Tape(parameters: store)
        let x = tape.input([3, 4], shape: Shape(2), requiresGrad: true)
        let h = tape.mul(x, tape.param(w))
        tape.backward(tape.sum(h))
        tape.backward(tape.sum(tape.scale(h, 2)))
        #expect(Array(store.grad(w)) == [9, 12])
        #expect(tape.grad(x) == [2, 2])
    }

    @Test func steadyStateTrainingStepsReuseTheArena() {
        let store = ParameterStore()
        let model = DecoderLM(store, TransformerConfiguration(dModel: 8, heads: 2, mlpHidden: 16, layers: 1),
                              vocab: 7, context: 6, seed: 1)
        let tape = Tape(parameters: store)
        var capacities: [Int] = []
        for _ in 0..<3 {
            tape.reset()
            let logits = model(tape, ids: [1, 2, 3, 4, 5, 6], batch: 1, length: 6)
            tape.backward(tape.crossEntropy(logits, targets: [2, 3, 4, 5, 6, 0]))
            capacities.append(tape.floats.capacity + tape.ints.capacity)
        }
        #expect(capacities[1] == capacities[0] && capacities[2] == capacities[0])
    }

    @Test func parameterGradientsAccumulateAcrossBackwardPasses() {
        let store = ParameterStore()
        let w = store.register("w", shape: Shape(2, 2)) { Float($0) }
        let tape = Tape(parameters: store)
        for _ in 0..<2 {
            tape.reset()
            let x = tape.input([1, 2], shape: Shape(1, 2))
            tape.backward(tape.sum(tape.linear(x, tape.param(w))), scale: 0.5)
        }
        #expect(Array(store.grad(w)) == [1, 2, 1, 2])
    }
}
