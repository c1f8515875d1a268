import Foundation
import Model
import Tensor
import ReasonerData
import Testing
@testable import Training

/// Supervised training on a mix: the loss falls, a killed run resumes to the same bits, bad rows are reported.
@Suite struct SFTTrainerTests {
    func job(_ world: TrainingWorld, output: String) throws -> SFTJob {
        SFTJob(start: world.start.path,
               sources: try SFTMix.formatDirectCoT.sources(files: world.files, repeats: ["format": 2]),
               imageRoot: world.suite, validation: world.files["direct"], validationLimit: 4,
               optimization: OptimizationConfig(steps: 6, batchSize: 4, accumulation: 2, learningRate: 3e-3,
                                                warmupSteps: 2, seed: 9, validateEvery: 3, checkpointEvery: 2),
               output: output)
    }

    @Test func interruptedAndResumedRunEqualsAnUnbrokenOneBitForBit() throws {
        let world = try TrainingWorld()
        defer { world.remove() }
        let unbroken = try SFTTrainer.run(try job(world, output: world.folder("unbroken")))
        let broken = try job(world, output: world.folder("broken"))
        try SFTTrainer.run(broken, stopAfterStep: 5)  // "killed" after step 5; the last checkpoint is step 4
        #expect(!TrainingRunFolder(URL(fileURLWithPath: broken.output)).isFinished)
        let resumed = try SFTTrainer.run(broken)
        let a = TrainingRunFolder(URL(fileURLWithPath: world.folder("unbroken")))
        let b = TrainingRunFolder(URL(fileURLWithPath: broken.output))
        #expect(try Data(contentsOf: a.metricsFile) == Data(contentsOf: b.metricsFile))
        #expect(try Data(contentsOf: a.validationFile) == Data(contentsOf: b.validationFile))
        #expect(MetricsLog.read(a.metricsFile).map { $0["step"] } == (1...6).map { Double($0) })
        #expect(try StudentCheckpoint.contentHash(of: URL(fileURLWithPath: unbroken.checkpoint))
                == StudentCheckpoint.contentHash(of: URL(fileURLWithPath: resumed.checkpoint)))
        #expect(unbroken.examplesPerSource["format"] == 8)
    }

    @Test func trainingLowersTheLoss() throws {
        let world = try TrainingWorld()
        defer { world.remove() }
        var config = try job(world, output: world.folder("sft"))
        config.optimization = OptimizationConfig(steps: 30, batchSize: 4, learningRate: 3e-3, warmupSteps: 3)
        try SFTTrainer.run(config)
        let losses = MetricsLog.read(TrainingRunFolder(URL(fileURLWithPath: config.output)).metricsFile)
            .compactMap { $0["loss"] }
        let first = losses.prefix(3).reduce(0, +) / 3, last = losses.suffix(3).reduce(0, +) / 3
        #expect(last < first - 1, "loss \(first) → \(last): \(losses)")
    }

    @Test func corruptImagesAndBadRowsAreCountedWithTheirReasons() throws {
        let world = try TrainingWorld()
        defer { world.remove() }
        let rows = try RowFiles.read(ConversationRow.self, path: world.files["direct"]!).rows
        try Data("not a png".utf8).write(to: URL(fileURLWithPath: world.suite + "/" + rows[0].image!))
        var bad = rows[1]
        bad.conversations = [ConversationTurn(from: "robot", value: "hi"), ConversationTurn(from: "gpt", value: "x")]
        let path = world.folder("bad.jsonl")
        try RowFiles.writeJSONL([rows[0], bad, rows[2]], path: path)
        try Data("{broken\n".utf8).append(to: path)
        let loaded = try world.rowExamples().load(rowsFile: path, imageRoot: world.suite, source: "test")
        #expect(loaded.examples.map(\.id) == [rows[2].id])
        #expect(loaded.problems.count == 3, "\(loaded.problems)")
        #expect(loaded.problems.contains { $0.reason.contains("does not decode") })
        #expect(loaded.problems.contains { $0.reason.contains("bad JSON") })
    }

    @Test func textOnlyDrillsGetTheBlankImage() throws {
        let world = try TrainingWorld()
        defer { world.remove() }
        let loaded = try world.rowExamples().load(rowsFile: world.files["drills"]!, imageRoot: world.suite,
                                                    source: "drills")
        #expect(!loaded.examples.isEmpty && loaded.problems.isEmpty)
        #expect(loaded.examples.allSatisfy { $0.example.image.pixels.allSatisfy { $0 == 128 } })
    }
}

extension Data {
    /// Appends to the file at `path`.
    func append(to path: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: self)
    }
}
