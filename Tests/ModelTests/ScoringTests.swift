import Model
import Tensor
import Testing

/// Batched response scoring.
@Suite struct ScoringTests {
    @Test func batchedScoresEqualOneAtATimeInInputOrder() throws {
        let model = try StudentVLM(config: Fixtures.tinyConfig, seed: 15)
        let prompt = try Fixtures.prompt()
        let responses = [[270, 271, 272, 5], [9], [40, 41], [280, 3, 3, 3, 3, 3, 7], [12, 13, 14]]
        let examples = try responses.enumerated().map { i, response in
            try VLMExample(image: Fixtures.image(Fixtures.colours[i % 4].rgb), prompt: prompt, response: response)
        }
        let batched = try model.responseLogProbs(examples, batchSize: 3)
        let tape = Tape(parameters: model.parameters)
        for (i, example) in examples.enumerated() {
            tape.reset()
            let alone = tape.scalar(try model.sequenceLogProbs(tape, [example]))
            #expect(abs(batched[i] - alone) <= 1e-5 * abs(alone), "example \(i): \(batched[i]) vs \(alone)")
        }
        #expect(Set(batched).count == examples.count)
        // Chains of one question share its prompt; a first-token-scored and an unscored example ride along.
        let image = Fixtures.image((5, 90, 160))
        var mixed = try [[270], [271, 272, 9], [40, 41, 42, 43], [9, 9]].map {
            try VLMExample(image: image, prompt: prompt, response: $0)
        }
        mixed.append(VLMExample(image: image, tokens: [270, 5, 6], lossMask: [true, false, true]))
        mixed.append(VLMExample(image: image, tokens: [270, 5], lossMask: [false, false]))
        mixed += examples
        let shared = try model.responseLogProbs(mixed, batchSize: 2)
        for (i, example) in mixed.enumerated() {
            tape.reset()
            let alone = tape.scalar(try model.sequenceLogProbs(tape, [example]))
            #expect(abs(shared[i] - alone) <= 1e-5 * max(abs(alone), 1), "example \(i): \(shared[i]) vs \(alone)")
        }
        #expect(shared[5] == 0)
        #expect(throws: ModelError.invalidInput("batchSize must be positive, got 0")) {
            try model.responseLogProbs(examples, batchSize: 0)
        }
    }
}

/// Examples sharing an image share its vision features, values and gradients alike.
@Suite struct SharedImageTests {
    @Test func sharedImageGivesTheScoresAndGradientsOfSeparateRuns() throws {
        let model = try StudentVLM(config: Fixtures.tinyConfig, seed: 16)
        let image = Fixtures.image((90, 60, 30)), prompt = try Fixtures.prompt()
        let pair = try [[270, 271], [272, 5, 9]].map { try VLMExample(image: image, prompt: prompt, response: $0) }
        let store = model.parameters, weight = try #require(store.parameter(named: "vision.patch_embed.weight"))
        let tape = Tape(parameters: store)
        store.zeroGrads()
        let together = try model.sequenceLogProbs(tape, pair)
        tape.backward(tape.sum(together))
        let scores = tape.array(together), grad = Array(store.grad(weight))
        var separate: [Float] = [], summed = [Float](repeating: 0, count: grad.count)
        for example in pair {
            store.zeroGrads()
            tape.reset()
            let one = try model.sequenceLogProbs(tape, [example])
            tape.backward(tape.sum(one))
            separate.append(tape.scalar(one))
            for (i, g) in store.grad(weight).enumerated() { summed[i] += g }
        }
        for (a, b) in zip(scores, separate) { #expect(abs(a - b) <= 1e-5 * abs(b)) }
        let scale = summed.map(abs).max()!
        #expect(scale > 0)
        #expect(zip(grad, summed).allSatisfy { abs($0 - $1) <= 1e-4 * scale })
    }
}
