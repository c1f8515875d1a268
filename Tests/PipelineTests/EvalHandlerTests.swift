import Artifacts
import Foundation
import ReasonerData
import State
import Testing
@testable import Pipeline

/// The evaluator answers a slice of items greedily in one mode, judges each, streams one `eval.item` event per item
/// in item order, writes the shard's results, and judges an item whose image does not read as unscorable.
@Test func theEvaluatorJudgesEveryItemStreamsItAndWritesTheShard() async throws {
    let suite = try SmallSuite(run: "v1", families: [.chart], trainPerFamily: 5)
    defer { suite.remove() }
    let checkpoint = try tinyStudent(in: suite, run: "v1")
    let items = try RowFiles.read(SuiteItem.self, path: try suite.artifacts.path(of: suite.dataset)).rows
    try Data("not a png".utf8).write(to: URL(fileURLWithPath: suite.root + "/runs/v1/data/" + items[2].image))
    let store = InMemoryStateStore()
    let shard = EvalShard(checkpoint: checkpoint, model: "sft", items: ItemSlice(file: suite.dataset, firstLine: 0,
                                                                                 lineCount: 5),
                          mode: .cot, maxNewTokens: 6,
                          output: try RunLayout(runID: "v1").evaluation(model: "sft", mode: "cot", shard: 0))
    let outcome = try await EvalHandler(artifacts: suite.artifacts, store: store, itemsPerBatch: 2)
        .handle(shard, context: context("v1.eval.0", runID: "v1"))

    let results = try RowFiles.read(EvalResult.self, path: try suite.artifacts.path(of: shard.output)).rows
    #expect(results.map(\.id) == items.prefix(5).map(\.id), "every item, in order")
    #expect(results[2].verdict == .unscorable && results[2].response.isEmpty, "the unreadable image")
    for result in results where result.verdict != .unscorable {
        let item = try #require(items.first { $0.id == result.id })
        #expect(AnswerJudge.judge(result.response, key: AnswerKey(item)).verdict == result.verdict, "judged")
    }
    let events = try await store.read(StateKeys.events("v1"), after: .start, limit: 100)
    #expect(events.map { $0.fields["item"] ?? "" } == results.map(\.id))
    #expect(events.map { $0.fields["correct"] } == results.map { $0.correct ? "1" : "0" })
    #expect(outcome.increments.first { $0.field == "eval_items" }?.delta == 5)
}
