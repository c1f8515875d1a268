import Artifacts
import Foundation
import Imaging
import Messaging
import Model
import ReasonerData
import State
import Training

/// The evaluator: a student's greedy answers to a slice of items in one prompt mode, each judged against its
/// annotation by the same judge for both modes. Each result is appended to the run's event stream as it is produced
/// (`eval.item`: what `reasoner follow` shows as running accuracy), and the shard's results are written together.
/// An item whose image cannot be read is judged unscorable (the model never saw it), so accuracies stay honest.
public struct EvalHandler: MessageHandler {
    /// The artifacts volume.
    public let artifacts: ArtifactStore
    /// Where results stream.
    public let store: any StateStore
    /// Items answered together.
    public let itemsPerBatch: Int

    /// An evaluator over an artifacts volume, streaming to `store`.
    public init(artifacts: ArtifactStore, store: any StateStore, itemsPerBatch: Int = 16) {
        self.artifacts = artifacts
        self.store = store
        self.itemsPerBatch = itemsPerBatch
    }

    public func handle(_ shard: EvalShard, context: HandlerContext) async throws -> HandlerOutcome {
        let items = try shard.items.read(from: artifacts)
        let student = try StudentLoading.load(shard.checkpoint, from: artifacts)
        let root = try shard.items.imageRoot(in: artifacts)
        let options = GenerationOptions.stoppingAtEndOfTurn(student.template, maxNewTokens: shard.maxNewTokens)
        let evaluator = Evaluator(model: student.model, template: student.template, imageRoot: root)
        var results: [EvalResult] = []
        for start in stride(from: 0, to: items.count, by: itemsPerBatch) {
            try Task.checkCancellation()
            let group = Array(items[start..<min(items.count, start + itemsPerBatch)])
            var readable: [(item: SuiteItem, image: RGBImage)] = []
            var batchResults: [String: EvalResult] = [:]
            for item in group {
                guard let image = try? ImageFile.read(path: root + "/" + item.image) else {
                    context.logger.warning("cannot read the item's image; judged unscorable", metadata: ["item": "\(item.id)"])
                    batchResults[item.id] = EvalResult(id: item.id, family: item.family, model: shard.model,
                                                       mode: shard.mode, verdict: .unscorable, extracted: nil,
                                                       response: "")
                    continue
                }
                readable.append((item, image))
            }
            for answer in readable.isEmpty ? [] : try evaluator.answer(readable, mode: shard.mode, options: options) {
                batchResults[answer.id] = EvalResult(id: answer.id, family: answer.family, model: shard.model,
                                                     mode: shard.mode, verdict: answer.verdict,
                                                     extracted: answer.extracted, response: answer.response)
            }
            for item in group {
                guard let result = batchResults[item.id] else { continue }
                results.append(result)
                _ = try await store.append(to: StateKeys.events(context.runID), fields: [
                    "kind": "eval.item", "model": shard.model, "mode": shard.mode.rawValue,
                    "family": item.family.rawValue, "item": item.id, "correct": result.correct ? "1" : "0",
                ])
            }
        }
        try artifacts.write(try RowFiles.jsonLines(results), to: shard.output)
        let correct = results.filter(\.correct).count
        let counters = StateKeys.counters(context.runID)
        return HandlerOutcome(
            result: ["items": String(results.count), "correct": String(correct)],
            increments: [CounterIncrement(key: counters, field: "eval_shards", delta: 1),
                         CounterIncrement(key: counters, field: "eval_items", delta: results.count)],
            events: [StreamAppend(stream: StateKeys.events(context.runID), fields: [
                "kind": "eval.shard", "model": shard.model, "mode": shard.mode.rawValue, "output": shard.output.path,
                "items": String(results.count), "correct": String(correct),
            ])])
    }
}

extension EvalResult: DatasetRow {
    /// Results have no image of their own.
    public var imagePath: String? { nil }
    /// A result needs its item's id.
    public var problem: String? { id.isEmpty ? "a result needs the id of its item" : nil }
}
