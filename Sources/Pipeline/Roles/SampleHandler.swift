import Artifacts
import Foundation
import Imaging
import Messaging
import Model
import ReasonerData
import State
import Tokenization

/// The sampler: N chain-of-thought chains per item from a student checkpoint (the CoT prompt, temperature and
/// nucleus sampling, a KV cache, the prompt computed once per item and shared by its chains), written as
/// `SampledChains` rows, then handed to the judge. Chains are reproducible: the draws depend only on the shard's
/// settings and its place in the items file, not on which process runs it. Items whose image cannot be read are
/// reported in the counters and left out.
public struct SampleHandler: MessageHandler {
    /// The artifacts volume.
    public let artifacts: ArtifactStore
    /// Items decoded together (all their chains in one batch).
    public let itemsPerBatch: Int

    /// A sampler over an artifacts volume.
    public init(artifacts: ArtifactStore, itemsPerBatch: Int = 8) {
        self.artifacts = artifacts
        self.itemsPerBatch = itemsPerBatch
    }

    public func handle(_ shard: SampleShard, context: HandlerContext) async throws -> HandlerOutcome {
        try shard.sampling.validate("sampling")
        let items = try shard.items.read(from: artifacts)
        let student = try StudentLoading.load(shard.checkpoint, from: artifacts)
        let root = try shard.items.imageRoot(in: artifacts)
        var rows: [SampledChains] = []
        var unreadable = 0
        for start in stride(from: 0, to: items.count, by: itemsPerBatch) {
            try Task.checkCancellation()
            var batch: [(SuiteItem, GenerationRequest)] = []
            for item in items[start..<min(items.count, start + itemsPerBatch)] {
                guard let image = try? ImageFile.read(path: root + "/" + item.image) else {
                    context.logger.warning("cannot read the item's image; leaving it out", metadata: ["item": "\(item.id)"])
                    unreadable += 1
                    continue
                }
                let prompt = try StudentPrompting.encode(item, mode: .cot, template: student.template)
                batch.append((item, try GenerationRequest(image: image, prompt: prompt,
                                                          samples: shard.sampling.chainsPerItem)))
            }
            guard !batch.isEmpty else { continue }
            let options = GenerationOptions.stoppingAtEndOfTurn(
                student.template,
                sampling: SamplingOptions(temperature: shard.sampling.temperature, topP: shard.sampling.topP),
                maxNewTokens: shard.sampling.maxNewTokens,
                seed: shard.sampling.seed ^ (UInt64(shard.items.firstLine + start) &* 0x9E37_79B9_7F4A_7C15))
            let generated = try student.model.generate(batch.map(\.1), options: options)
            for ((item, _), chains) in zip(batch, generated) {
                rows.append(SampledChains(id: item.id, samples: try chains.map {
                    try student.tokenizer.decode($0.tokens, skipSpecialTokens: true)
                }))
            }
        }
        try artifacts.write(try RowFiles.jsonLines(rows), to: shard.output)
        let judge = FleetTopology.work(FleetTopology.Queue.judge,
                                       try Envelope(shard.judge, id: context.messageID + ".judge", runID: context.runID))
        let counters = StateKeys.counters(context.runID)
        return HandlerOutcome(
            result: ["items": String(rows.count), "chains": String(rows.count * shard.sampling.chainsPerItem)],
            increments: [CounterIncrement(key: counters, field: "sample_shards", delta: 1),
                         CounterIncrement(key: counters, field: "sample_chains",
                                          delta: rows.count * shard.sampling.chainsPerItem),
                         CounterIncrement(key: counters, field: "sample_unreadable_images", delta: unreadable)],
            events: [StreamAppend(stream: StateKeys.events(context.runID), fields: [
                "kind": "sample.shard", "output": shard.output.path, "items": String(rows.count),
            ])],
            followUps: [judge])
    }
}
