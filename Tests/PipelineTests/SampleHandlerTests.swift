import Artifacts
import Foundation
import Logging
import Messaging
import Model
import ReasonerData
import Testing
import Tokenization
@testable import Pipeline

/// A random tiny student saved as a checkpoint beside a small suite, its tokenizer trained on the suite's text.
func tinyStudent(in suite: SmallSuite, run: String) throws -> ArtifactRef {
    let items = try RowFiles.read(SuiteItem.self, path: try suite.artifacts.path(of: suite.dataset)).rows
    let ref = try ArtifactRef("runs/\(run)/checkpoints/sft")
    try StudentCheckpoint.createFresh(
        corpus: items.flatMap { [StudentPrompt.text(for: $0, mode: .cot), $0.answer] }, vocabularySize: 400, seed: 3,
        config: { var config = VLMConfig.tiny(vocabSize: $0); config.contextLength = 512; return config },
        to: URL(fileURLWithPath: try suite.artifacts.path(of: ref)))
    return ref
}

func context(_ id: String, runID: String = "s1") -> HandlerContext {
    HandlerContext(runID: runID, messageID: id, redelivered: false, logger: Logger(label: "test") { _ in
        SwiftLogNoOpLogHandler()
    })
}

@Test func theSamplerWritesReproducibleChainsAndHandsThemToTheJudge() async throws {
    let suite = try SmallSuite(run: "s1", families: [.chart], trainPerFamily: 5)
    defer { suite.remove() }
    let checkpoint = try tinyStudent(in: suite, run: "s1")
    let layout = RunLayout(runID: "s1")
    let shard = SampleShard(
        checkpoint: checkpoint, items: ItemSlice(file: suite.dataset, firstLine: 1, lineCount: 4),
        sampling: SamplingSettings(chainsPerItem: 3, temperature: 1, maxNewTokens: 6, seed: 9),
        output: try layout.samples(0),
        judge: JudgeTask(items: suite.dataset, samples: try layout.samples(0), output: try layout.pairs(0)))
    let handler = SampleHandler(artifacts: suite.artifacts, itemsPerBatch: 3)  // two batches: 3 + 1 items
    let outcome = try await handler.handle(shard, context: context("s1.sample.0"))
    let first = try suite.artifacts.read(shard.output)
    let rows = try RowFiles.read(SampledChains.self, path: try suite.artifacts.path(of: shard.output)).rows
    #expect(rows.count == 4 && rows.allSatisfy { $0.samples.count == 3 })
    #expect(Set(rows.flatMap(\.samples)).count > 1, "sampling at temperature 1 draws different chains")
    #expect(outcome.followUps.map(\.envelope.id) == ["s1.sample.0.judge"])
    #expect(try outcome.followUps[0].envelope.decode(JudgeTask.self) == shard.judge)
    _ = try await handler.handle(shard, context: context("s1.sample.0"))
    #expect(try suite.artifacts.read(shard.output) == first, "the same shard draws the same chains")
}

@Test func anUnreadableImageIsCountedAndLeftOut() async throws {
    let suite = try SmallSuite(run: "s2", families: [.chart], trainPerFamily: 3)
    defer { suite.remove() }
    let checkpoint = try tinyStudent(in: suite, run: "s2")
    let items = try RowFiles.read(SuiteItem.self, path: try suite.artifacts.path(of: suite.dataset)).rows
    try Data("not a png".utf8).write(to: URL(fileURLWithPath: suite.root + "/runs/s2/data/" + items[0].image))
    let layout = RunLayout(runID: "s2")
    let shard = SampleShard(
        checkpoint: checkpoint, items: ItemSlice(file: suite.dataset, firstLine: 0, lineCount: 3),
        sampling: SamplingSettings(chainsPerItem: 2, maxNewTokens: 4), output: try layout.samples(0),
        judge: JudgeTask(items: suite.dataset, samples: try layout.samples(0), output: try layout.pairs(0)))
    let outcome = try await SampleHandler(artifacts: suite.artifacts).handle(shard, context: context("m"))
    #expect(outcome.increments.first { $0.field == "sample_unreadable_images" }?.delta == 1)
    #expect(try RowFiles.read(SampledChains.self, path: try suite.artifacts.path(of: shard.output)).rows.count == 2)
    await #expect(throws: HandlerError.self) {
        var missing = shard
        missing.checkpoint = try ArtifactRef("runs/s2/checkpoints/none")
        _ = try await SampleHandler(artifacts: suite.artifacts).handle(missing, context: context("m2"))
    }
}
