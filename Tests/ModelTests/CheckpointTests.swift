import Foundation
import Model
import Tensor
import Testing

/// Saving, loading and identifying checkpoints.
@Suite struct CheckpointTests {
    func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("model-ckpt-\(UInt64.random(in: 0...UInt64.max))")
    }

    @Test func roundTripRestoresWeightsTokenizerStepAndHash() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try StudentVLM(config: Fixtures.tinyConfig, seed: 7)
        let hash = try StudentCheckpoint.save(model, tokenizer: Fixtures.tokenizer,
                                              trainerState: .init(step: 42), to: dir)
        #expect(hash.count == 64)
        #expect(try StudentCheckpoint.contentHash(of: dir) == hash)
        let loaded = try StudentCheckpoint.load(from: dir)
        #expect(loaded.contentHash == hash)
        #expect(loaded.trainerState?.step == 42)
        #expect(loaded.tokenizer == Fixtures.tokenizer)
        #expect(loaded.model.config == model.config)
        #expect(Array(UnsafeBufferPointer(start: loaded.model.parameters.values, count: model.parameters.count))
                == Array(UnsafeBufferPointer(start: model.parameters.values, count: model.parameters.count)))
        #expect(model.parameters.names.contains("vision.patch_embed.weight"))
        #expect(model.parameters.names.contains("lm_head.weight"))
        let other = try StudentVLM(config: Fixtures.tinyConfig, seed: 8)
        #expect(try StudentCheckpoint.save(other, tokenizer: Fixtures.tokenizer, to: dir) != hash)
    }

    @Test func loadingRejectsMissingExtraAndMisshapedTensors() throws {
        let model = try StudentVLM(config: Fixtures.tinyConfig, seed: 1)
        var tensors = model.parameters.namedTensors()
        tensors["lm_head.weight"] = nil
        #expect(throws: ModelError.missingTensor("lm_head.weight")) {
            try StudentCheckpoint.loadWeights(tensors, into: model.parameters)
        }
        tensors = model.parameters.namedTensors()
        tensors["bogus.weight"] = .f32([1], shape: [1])
        #expect(throws: ModelError.unexpectedTensor("bogus.weight")) {
            try StudentCheckpoint.loadWeights(tensors, into: model.parameters)
        }
        tensors = model.parameters.namedTensors()
        let w = tensors["vision.patch_embed.weight"]!
        tensors["vision.patch_embed.weight"] = .f32(w.floats, shape: w.shape.reversed())
        #expect(throws: ModelError.shapeMismatch(name: "vision.patch_embed.weight", expected: w.shape,
                                                 found: w.shape.reversed())) {
            try StudentCheckpoint.loadWeights(tensors, into: model.parameters)
        }
    }

    @Test func loadingAnEmptyDirectoryNamesTheMissingFile() {
        let dir = temporaryDirectory()
        #expect(throws: ModelError.missingFile(dir.appendingPathComponent("config.json").path)) {
            _ = try StudentCheckpoint.load(from: dir)
        }
    }
}
