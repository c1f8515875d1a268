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
        #expect(throws: ModelError.invalidInput("batchSize must be positive, got 0")) {
            try model.responseLogProbs(examples, batchSize: 0)
        }
    }
}
