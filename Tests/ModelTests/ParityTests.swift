import Foundation
import Imaging
import Model
import Tensor
import Testing

/// The Swift student computes what the PyTorch reference (Tests/Reference/student_vlm.py) computes, on weights
/// PyTorch saved: the fixture from Tests/Reference/make_model_fixtures.py. No torch is needed to run this.
@Suite struct ParityTests {
    /// The fixture folder: `config.json`, `model.safetensors`, `expected.safetensors`.
    func fixture() throws -> URL {
        try #require(Bundle.module.url(forResource: "Fixtures/parity", withExtension: nil),
                     "fixture missing: run Tests/Reference/make_model_fixtures.py")
    }

    /// Largest absolute difference relative to the largest expected magnitude.
    func relativeError(_ got: [Float], _ want: [Float]) -> Float {
        let scale = want.map(abs).max() ?? 1
        return zip(got, want).map { abs($0 - $1) }.max()! / max(scale, 1e-12)
    }

    @Test func logitsAndResponseLogProbsMatchPyTorch() throws {
        let dir = try fixture()
        let config = try VLMConfig.load(from: dir.appendingPathComponent("config.json"))
        let model = try StudentVLM(config: config, seed: 0)
        try StudentCheckpoint.loadWeights(Safetensors.read(dir.appendingPathComponent("model.safetensors")).tensors,
                                          into: model.parameters)
        let expected = try Safetensors.read(dir.appendingPathComponent("expected.safetensors")).tensors
        let images = try #require(expected["images"]), ids = try #require(expected["ids"])
        let mask = try #require(expected["mask"]).floats
        let (batch, side, length) = (images.shape[0], images.shape[1], ids.shape[1])
        let pixels = images.int32s.map { UInt8($0) }, tokens = ids.int32s.map { Int($0) }
        let examples = (0..<batch).map { b in
            VLMExample(image: RGBImage(width: side, height: side,
                                       pixels: Array(pixels[(b * side * side * 3)..<((b + 1) * side * side * 3)])),
                       tokens: Array(tokens[(b * length)..<((b + 1) * length)]),
                       lossMask: mask[(b * length)..<((b + 1) * length)].map { $0 != 0 })
        }
        let tape = Tape(parameters: model.parameters)
        let logits = try model.forward(tape, examples).logits
        let want = try #require(expected["logits"])
        #expect(logits.shape.dims == want.shape)
        let error = relativeError(tape.array(logits), want.floats)
        #expect(error < 1e-4, "logits differ from PyTorch by \(error) relative")
        let logProbs = try model.responseLogProbs(examples, batchSize: 1)
        #expect(relativeError(logProbs, try #require(expected["logprobs"]).floats) < 1e-4)

        // The training loss's gradient reaches every parameter as in PyTorch, the vision tower and projector too.
        tape.reset()
        model.parameters.zeroGrads()
        tape.backward(try model.loss(tape, examples))
        for (name, parameter) in zip(model.parameters.names, model.parameters.parameters) {
            let want = try #require(expected["grad." + name], "fixture lacks grad.\(name): rerun make_model_fixtures.py")
            let got = Array(model.parameters.grad(parameter))
            if name.hasSuffix("k_proj.bias") {
                // A key bias adds the same score to every key of a query: softmax cancels it, its gradient is 0.
                #expect(got.allSatisfy { abs($0) < 1e-6 } && want.floats.allSatisfy { abs($0) < 1e-6 })
                continue
            }
            let error = relativeError(got, want.floats)
            #expect(error < 1e-3, "gradient of \(name) differs from PyTorch by \(error) relative")
        }
    }
}
