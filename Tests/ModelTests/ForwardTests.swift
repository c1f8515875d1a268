import Imaging
import Model
import Tensor
import Testing
import Tokenization

/// Batching, image placement, loss and sequence log-probabilities.
@Suite struct ForwardTests {
    @Test func placeholderIsDroppedAndImageBecomesThePrefix() throws {
        let example = try Fixtures.example(Fixtures.colours[0])
        #expect(!example.tokens.contains(Fixtures.template.imageID))
        let encoded = try Fixtures.template.encode(Conversation(turns: [
            ChatTurn(role: .user, text: Fixtures.question), ChatTurn(role: .assistant, text: "red")]))
        #expect(example.tokens.count == encoded.tokens.count - 1)
        let model = try StudentVLM(config: Fixtures.tinyConfig, seed: 1)
        let tape = Tape(parameters: model.parameters)
        let f = try model.forward(tape, [example])
        let p = Fixtures.tinyConfig.patchesPerImage
        #expect(f.logits.shape == Shape(1, p + example.tokens.count, Fixtures.tinyConfig.vocabSize))
        #expect(Int(f.targets[p - 1]) == example.tokens[0])
        #expect(f.mask.reduce(0, +) == Float(example.lossMask.filter { $0 }.count))
    }

    @Test func paddingDoesNotChangeAnExamplesLogProb() throws {
        let model = try StudentVLM(config: Fixtures.tinyConfig, seed: 2)
        let prompt = try Fixtures.prompt()
        let short = try VLMExample(image: Fixtures.image((200, 0, 0)), prompt: prompt, response: [270, 271])
        let long = try VLMExample(image: Fixtures.image((0, 0, 200)), prompt: prompt, response: [272, 273, 274, 275])
        let tape = Tape(parameters: model.parameters)
        let alone = tape.array(try model.sequenceLogProbs(tape, [short]))
        tape.reset()
        let batched = tape.array(try model.sequenceLogProbs(tape, [short, long]))
        #expect(batched.count == 2)
        #expect(abs(alone[0] - batched[0]) < 1e-4)
        #expect(batched.allSatisfy { $0 < 0 && $0.isFinite })
    }

    @Test func tooLongInputIsRejected() throws {
        let model = try StudentVLM(config: Fixtures.tinyConfig, seed: 3)
        let example = VLMExample(image: Fixtures.image((1, 2, 3)), tokens: Array(repeating: 5, count: 64),
                                 lossMask: Array(repeating: true, count: 64))
        #expect(throws: ModelError.self) { _ = try model.loss(Tape(parameters: model.parameters), [example]) }
    }

    @Test func preprocessorFitsAndPadsNonSquareImages() {
        let pre = ImagePreprocessor(size: 8)
        let fitted = pre.fit(RGBImage(width: 16, height: 8, fill: (255, 0, 0)))
        #expect(fitted.width == 8 && fitted.height == 8)
        #expect(fitted[x: 0, y: 0] == (128, 128, 128))  // padding row above the 8x4 content
        #expect(fitted[x: 3, y: 3] == (255, 0, 0))
        let floats = pre.pixels(fitted)
        #expect(floats.count == 8 * 8 * 3)
        #expect(floats[(3 * 8 + 3) * 3] == 1 && floats[(3 * 8 + 3) * 3 + 1] == -1)
    }
}

/// The reference architecture builds and runs on an arbitrary-size photo.
@Suite struct ReferenceModelTests {
    @Test func referenceModelTakesA64PixelImageAsSixtyFourPatches() throws {
        let config = VLMConfig.reference(vocabSize: Fixtures.tokenizer.vocabularySize)
        let model = try StudentVLM(config: config, seed: 1)
        #expect(model.parameters.names.contains("layers.3.mlp.down_proj.weight"))
        #expect(model.parameters.names.contains("vision.layers.1.attn.o_proj.weight"))
        // LLaVA's 2-layer GELU MLP projector, named like its nn.Sequential (index 1 is the GELU).
        let projector = model.parameters.names.filter { $0.hasPrefix("vision.projector.") }
        #expect(projector == ["vision.projector.0.weight", "vision.projector.0.bias", "vision.projector.2.weight",
                              "vision.projector.2.bias"])
        #expect(model.parameters.parameter(named: "vision.projector.2.weight")?.shape == Shape(128, 128))
        #expect(!model.parameters.names.contains("layers.4.attn_norm.weight"))
        let example = try VLMExample(image: RGBImage(width: 100, height: 50, fill: (9, 99, 199)),
                                     prompt: Fixtures.prompt(), response: [270, 271, 272])
        let tape = Tape(parameters: model.parameters)
        let logProbs = tape.array(try model.sequenceLogProbs(tape, [example]))
        #expect(logProbs.count == 1 && logProbs[0].isFinite && logProbs[0] < 0)
        #expect(tape.value(model.imageFeatures(tape, images: [example.image])).count == 64 * 128)
    }
}

