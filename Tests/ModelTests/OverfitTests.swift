import Model
import Tensor
import Testing

/// End to end: the tiny student memorises a few (image, question, answer) items.
@Suite struct OverfitTests {
    @Test func tinyModelOverfitsSolidColourQuestionsToExactGreedyAnswers() throws {
        let model = try StudentVLM(config: Fixtures.tinyConfig, seed: 21)
        let examples = try Fixtures.colours.map { try Fixtures.example($0) }
        let optimizer = AdamW(model.parameters)
        let tape = Tape(parameters: model.parameters)
        let steps = 150
        let schedule = LearningRateSchedule(peak: 3e-3, minimum: 3e-4, warmupSteps: 10, totalSteps: steps)
        var losses: [Float] = []
        for step in 0..<steps {
            tape.reset()
            model.parameters.zeroGrads()
            let loss = try model.loss(tape, examples)
            losses.append(tape.scalar(loss))
            tape.backward(loss)
            model.parameters.clipGradients(maxNorm: 1)
            optimizer.step(lr: schedule(step))
        }
        #expect(losses.last! < 0.05, "loss \(losses.first!) -> \(losses.last!)")
        let options = GenerationOptions.stoppingAtEndOfTurn(Fixtures.template, maxNewTokens: 10)
        for colour in Fixtures.colours {
            let out = try model.generate(image: Fixtures.image(colour.rgb), prompt: Fixtures.prompt(), options: options)
            #expect(out[0].stopped)
            #expect(try Fixtures.tokenizer.decode(out[0].tokens) == colour.name)
        }
    }
}
