import Foundation
import Model
import Tensor
import TestSupport
import Testing

/// Training resumed from a checkpoint (weights, step, AdamW moments) continues exactly like an unbroken run.
@Suite struct ResumeTests {
    let schedule = LearningRateSchedule(peak: 3e-3, minimum: 3e-4, warmupSteps: 2, totalSteps: 8)

    /// Trains `model` with `optimizer` from step `from` to `to` on the colour examples, one per step.
    func train(_ model: StudentVLM, _ optimizer: AdamW, from: Int, to: Int) throws {
        let examples = try Fixtures.colours.map { try Fixtures.example($0) }
        let tape = Tape(parameters: model.parameters)
        for step in from..<to {
            model.parameters.zeroGrads()
            tape.reset()
            let batch = [examples[step % examples.count], examples[(step + 1) % examples.count]]
            tape.backward(try model.loss(tape, batch))
            model.parameters.clipGradients(maxNorm: 1)
            optimizer.step(lr: schedule(step))
        }
    }

    func values(_ store: ParameterStore) -> [Float] {
        Array(UnsafeBufferPointer(start: store.values, count: store.count))
    }

    @Test func resumedRunIsBitIdenticalToAnUnbrokenOne() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("resume-\(UInt64.random(in: 0...UInt64.max))")
        defer { try? FileManager.default.removeItem(at: dir) }
        let unbroken = try StudentVLM(config: Fixtures.tinyConfig, seed: 3)
        try train(unbroken, AdamW(unbroken.parameters), from: 0, to: 8)

        let first = try StudentVLM(config: Fixtures.tinyConfig, seed: 3)
        let optimizer = AdamW(first.parameters)
        try train(first, optimizer, from: 0, to: 5)
        try StudentCheckpoint.save(first, tokenizer: Fixtures.tokenizer, trainerState: .init(step: 5),
                                   optimizer: optimizer.state, to: dir)
        let loaded = try StudentCheckpoint.load(from: dir)
        let state = try #require(loaded.optimizer)
        #expect(state == optimizer.state && state.step == 5 && loaded.trainerState?.step == 5)
        let resumed = AdamW(loaded.model.parameters)
        resumed.restore(state)
        try train(loaded.model, resumed, from: 5, to: 8)
        #expect(bitDifference(values(loaded.model.parameters), values(unbroken.parameters)) == nil)
        #expect(resumed.state.step == 8)

        // Without the moments the same three steps land elsewhere: the test can tell.
        let fresh = try StudentCheckpoint.load(from: dir)
        try train(fresh.model, AdamW(fresh.model.parameters), from: 5, to: 8)
        #expect(values(fresh.model.parameters) != values(unbroken.parameters))

        // Saving without optimizer state removes a stale file.
        try StudentCheckpoint.save(first, tokenizer: Fixtures.tokenizer, to: dir)
        #expect(try StudentCheckpoint.load(from: dir).optimizer == nil)
    }

    @Test func optimizerStateIsLoadedStrictly() throws {
        let model = try StudentVLM(config: Fixtures.tinyConfig, seed: 4)
        let optimizer = AdamW(model.parameters)
        try train(model, optimizer, from: 0, to: 1)
        let data = try OptimizerCheckpoint.encode(optimizer.state, store: model.parameters)
        #expect(try OptimizerCheckpoint.decode(data, store: model.parameters) == optimizer.state)
        var tensors = try Safetensors.decode(data).tensors
        tensors["lm_head.weight.exp_avg_sq"] = nil
        #expect(throws: ModelError.missingTensor("lm_head.weight.exp_avg_sq")) {
            try OptimizerCheckpoint.decode(Safetensors.encode(tensors, metadata: ["step": "1"]), store: model.parameters)
        }
        tensors = try Safetensors.decode(data).tensors
        #expect(throws: ModelError.corruptFile(file: "optimizer.safetensors",
                                               reason: "its metadata has no valid step (found none)")) {
            try OptimizerCheckpoint.decode(Safetensors.encode(tensors), store: model.parameters)
        }
        let other = try StudentVLM(config: .tiny(vocabSize: Fixtures.tinyConfig.vocabSize + 1), seed: 4)
        #expect(throws: ModelError.shapeMismatch(name: "tok_embeddings.weight.exp_avg",
                                                 expected: [Fixtures.tinyConfig.vocabSize + 1, 32],
                                                 found: [Fixtures.tinyConfig.vocabSize, 32])) {
            try OptimizerCheckpoint.decode(data, store: other.parameters)
        }
    }
}
