import Foundation
import Testing
@testable import Tensor

/// Loads a fixture written by Tests/Reference/make_tensor_fixtures.py.
func fixture(_ name: String) throws -> [String: SafeTensor] {
    let url = try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: "safetensors"),
                           "fixture \(name) missing: run Tests/Reference/make_tensor_fixtures.py")
    return try Safetensors.read(url).tensors
}

/// `actual` within `atol + rtol * |expected|` of `expected`, element by element.
func expectClose(_ actual: [Float], _ expected: [Float], atol: Float = 1e-5, rtol: Float = 1e-4, _ what: String,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.count == expected.count, "\(what): \(actual.count) vs \(expected.count) values",
            sourceLocation: sourceLocation)
    var worst: Float = 0, at = 0
    for i in 0..<min(actual.count, expected.count) {
        let excess = abs(actual[i] - expected[i]) - (atol + rtol * abs(expected[i]))
        if excess > worst || excess.isNaN { worst = excess.isNaN ? .infinity : excess; at = i }
    }
    #expect(worst == 0, "\(what)[\(at)]: \(actual[at]) vs \(expected[at])", sourceLocation: sourceLocation)
}

extension Dictionary where Key == String, Value == SafeTensor {
    func f(_ name: String) throws -> [Float] { try #require(self[name], "tensor \(name) missing").floats }
    func shape(_ name: String) throws -> Shape { Shape(dims: try #require(self[name]).shape) }
}

/// Forward and backward against PyTorch on fixed weights and inputs.
@Suite struct FixtureTests {
    @Test(arguments: ["causal", "bidirectional"])
    func attentionMatchesScaledDotProductAttention(tag: String) throws {
        let fx = try fixture("attention")
        let tape = Tape()
        let q = tape.input(try fx.f("\(tag).q"), shape: try fx.shape("\(tag).q"), requiresGrad: true)
        let k = tape.input(try fx.f("\(tag).k"), shape: try fx.shape("\(tag).k"), requiresGrad: true)
        let v = tape.input(try fx.f("\(tag).v"), shape: try fx.shape("\(tag).v"), requiresGrad: true)
        let y = tape.attention(q: q, k: k, v: v, heads: 2, causal: tag == "causal")
        expectClose(tape.array(y), try fx.f("\(tag).out"), "out")
        tape.backward(y, seed: try fx.f("\(tag).w"))
        expectClose(tape.grad(q)!, try fx.f("\(tag).grad.q"), "grad q")
        expectClose(tape.grad(k)!, try fx.f("\(tag).grad.k"), "grad k")
        expectClose(tape.grad(v)!, try fx.f("\(tag).grad.v"), "grad v")
    }

    @Test func normsMatchTorch() throws {
        let fx = try fixture("norms")
        let tape = Tape()
        let x = tape.input(try fx.f("x"), shape: Shape(3, 6), requiresGrad: true)
        let rw = tape.input(try fx.f("rms.weight"), shape: Shape(6), requiresGrad: true)
        let lw = tape.input(try fx.f("ln.weight"), shape: Shape(6), requiresGrad: true)
        let lb = tape.input(try fx.f("ln.bias"), shape: Shape(6), requiresGrad: true)
        let rms = tape.rmsNorm(x, weight: rw)
        let ln = tape.layerNorm(x, weight: lw, bias: lb)
        expectClose(tape.array(rms), try fx.f("rms.out"), "rms")
        expectClose(tape.array(ln), try fx.f("ln.out"), "ln")
        let loss = tape.add(tape.sum(tape.mul(rms, tape.input(try fx.f("rms.w"), shape: Shape(3, 6)))),
                            tape.sum(tape.mul(ln, tape.input(try fx.f("ln.w"), shape: Shape(3, 6)))))
        tape.backward(loss)
        expectClose(tape.grad(x)!, try fx.f("grad.x"), "grad x")
        expectClose(tape.grad(rw)!, try fx.f("grad.rms.weight"), "grad rms weight")
        expectClose(tape.grad(lw)!, try fx.f("grad.ln.weight"), "grad ln weight")
        expectClose(tape.grad(lb)!, try fx.f("grad.ln.bias"), "grad ln bias")
    }

    @Test(arguments: [("block_rms_causal", NormKind.rms, true, true),
                      ("block_ln_bidirectional", NormKind.layer, false, false)])
    func transformerBlockMatchesTorch(_ c: (String, NormKind, Bool, Bool)) throws {
        let fx = try fixture(c.0)
        let store = ParameterStore()
        var rng = SplitMix64(seed: 0)
        let config = TransformerConfiguration(dModel: 16, heads: 4, mlpHidden: 32, layers: 1, norm: c.1, causal: c.2,
                                              bias: c.3)
        let block = TransformerBlock(store, "layers.0", config, rng: &rng)
        try store.load(fx)
        let tape = Tape(parameters: store)
        let x = tape.input(try fx.f("x"), shape: try fx.shape("x"), requiresGrad: true)
        let y = block(tape, x)
        expectClose(tape.array(y), try fx.f("out"), atol: 1e-4, "block out")
        tape.backward(y, seed: try fx.f("w"))
        expectClose(tape.grad(x)!, try fx.f("grad.x"), atol: 1e-4, rtol: 1e-3, "grad x")
        for (name, p) in zip(store.names, store.parameters) {
            expectClose(Array(store.grad(p)), try fx.f("grad.\(name)"), atol: 1e-4, rtol: 1e-3, "grad \(name)")
        }
    }

    @Test func lossesMatchTorch() throws {
        let fx = try fixture("losses")
        let targets = try #require(fx["targets"]).int32s
        let mask = try fx.f("mask")
        let tape = Tape()
        let logits = tape.input(try fx.f("logits"), shape: Shape(2, 4, 7), requiresGrad: true)
        let ce = tape.crossEntropy(logits, targets: targets, mask: mask)
        expectClose([tape.scalar(ce)], try fx.f("ce"), "cross-entropy")
        tape.backward(ce)
        expectClose(tape.grad(logits)!, try fx.f("grad.ce"), "grad cross-entropy")

        let tape2 = Tape()
        let logits2 = tape2.input(try fx.f("logits"), shape: Shape(2, 4, 7), requiresGrad: true)
        let seq = tape2.sequenceLogProbs(logits2, targets: targets, mask: mask)
        expectClose(tape2.array(seq), try fx.f("seq"), "sequence log-probs")
        tape2.backward(seq, seed: try fx.f("seq.w"))
        expectClose(tape2.grad(logits2)!, try fx.f("grad.seq"), "grad sequence log-probs")
    }

    @Test func adamWWithClippingMatchesTorch() throws {
        let fx = try fixture("adamw")
        let store = ParameterStore()
        let p0 = try fx.f("p0"), q0 = try fx.f("q0")
        let p = store.register("p", shape: Shape(10)) { p0[$0] }
        let q = store.register("q", shape: Shape(4), decay: false) { q0[$0] }
        var config = AdamW.Configuration()
        config.beta2 = 0.95
        config.weightDecay = 0.1
        let opt = AdamW(store, configuration: config)
        for (step, lr) in [Float(1e-2), 5e-3, 2e-3].enumerated() {
            let gp = try fx.f("gp\(step)"), gq = try fx.f("gq\(step)")
            for i in 0..<10 { store.grad(p)[i] = gp[i] }
            for i in 0..<4 { store.grad(q)[i] = gq[i] }
            let norm = store.clipGradients(maxNorm: 1)
            expectClose([norm], try fx.f("norm\(step)"), "grad norm \(step)")
            opt.step(lr: lr)
            expectClose(Array(store.value(p)), try fx.f("p\(step + 1)"), atol: 1e-6, rtol: 1e-5, "p after \(step + 1)")
            expectClose(Array(store.value(q)), try fx.f("q\(step + 1)"), atol: 1e-6, rtol: 1e-5, "q after \(step + 1)")
        }
    }
}

/// A whole decoder (embeddings, two blocks, final norm, head, masked cross-entropy) against PyTorch.
@Suite struct DecoderFixtureTests {
    @Test func decoderLossAndEveryParameterGradientMatchTorch() throws {
        let fx = try fixture("decoder")
        let store = ParameterStore()
        let lm = DecoderLM(store, TransformerConfiguration(dModel: 16, heads: 2, mlpHidden: 32, layers: 2),
                           vocab: 11, context: 8, seed: 0)
        try store.load(fx)
        let tape = Tape(parameters: store)
        let logits = lm(tape, ids: try #require(fx["ids"]).int32s, batch: 2, length: 7)
        let loss = tape.crossEntropy(logits, targets: try #require(fx["targets"]).int32s, mask: try fx.f("mask"))
        expectClose([tape.scalar(loss)], try fx.f("loss"), "loss")
        tape.backward(loss)
        for (name, p) in zip(store.names, store.parameters) {
            expectClose(Array(store.grad(p)), try fx.f("grad.\(name)"), atol: 1e-5, rtol: 1e-3, "grad \(name)")
        }
    }
}
