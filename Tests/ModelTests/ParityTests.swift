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

    /// The fixture's model and its two examples.
    func fixtureBatch(_ folder: URL? = nil) throws -> (StudentVLM, [VLMExample], [String: SafeTensor]) {
        let dir = try folder ?? fixture()
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
        return (model, examples, expected)
    }

    @Test func logitsAndResponseLogProbsMatchPyTorch() throws {
        let (model, examples, expected) = try fixtureBatch()
        let tape = Tape(parameters: model.parameters)
        let logits = try model.forward(tape, examples).logits
        let want = try #require(expected["logits"])
        #expect(logits.shape.dims == want.shape)
        let error = relativeError(tape.array(logits), want.floats)
        #expect(error < 1e-4, "logits differ from PyTorch by \(error) relative")
        let logProbs = try model.responseLogProbs(examples, batchSize: 1)
        #expect(relativeError(logProbs, try #require(expected["logprobs"]).floats) < 1e-4)
    }

    /// The SFT loss and its gradient for every parameter, vision tower and projector included, equal PyTorch's
    /// autograd on the same batch.
    @Test func lossAndEveryParameterGradientMatchPyTorch() throws {
        let folder = try fixture()
        let (model, examples, _) = try fixtureBatch(folder)
        let expected = try Safetensors.read(folder.appendingPathComponent("gradients.safetensors")).tensors
        let tape = Tape(parameters: model.parameters)
        model.parameters.zeroGrads()
        let loss = try model.loss(tape, examples)
        #expect(relativeError([tape.scalar(loss)], try #require(expected["loss"]).floats) < 1e-5)
        tape.backward(loss)
        for (name, parameter) in zip(model.parameters.names, model.parameters.parameters) {
            let want = try #require(expected["grad." + name], "no PyTorch gradient for \(name)")
            let error = relativeError(Array(model.parameters.grad(parameter)), want.floats)
            // Keys' biases shift every score of a query equally, which softmax ignores: their true gradient is 0 and
            // both sides hold rounding noise, so only its size is checked.
            if name.hasSuffix("k_proj.bias") {
                #expect(model.parameters.grad(parameter).allSatisfy { abs($0) < 1e-5 }, "\(name): \(error)")
                continue
            }
            #expect(error < 1e-3, "d loss / d \(name) differs from PyTorch by \(error) relative")
        }
    }
}
