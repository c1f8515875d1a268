import Artifacts
import Foundation
import Imaging
import Messaging
import Model
import ReasonerData
import State
import Training
import Tokenization

/// The sampler: N chain-of-thought chains per item from a student checkpoint (`ChainSampler`: the CoT prompt,
/// temperature and nucleus sampling, a KV cache, the prompt computed once per item and shared by its chains),
/// written as `SampledChains` rows, then handed to the judge. An item's chains depend only on the settings, the
/// checkpoint and the item's id. Items whose image cannot be read are reported in the counters and left out.
public struct SampleHandler: MessageHandler {
    /// The artifacts volume.
    public let artifacts: ArtifactStore
    /// Items decoded together (all their chains in one batch); 1 keeps each item's chains independent of its shard.
    public let itemsPerBatch: Int

    /// A sampler over an artifacts volume.
    public init(artifacts: ArtifactStore, itemsPerBatch: Int = 1) {
        self.artifacts = artifacts
        self.itemsPerBatch = itemsPerBatch
    }

    public func handle(_ shard: SampleShard, context: HandlerContext) async throws -> HandlerOutcome {
        do { try shard.sampling.validate("sampling") } catch { throw HandlerError.permanent("\(error)") }
        let items = try shard.items.read(from: artifacts)
        let student = try StudentLoading.load(shard.checkpoint, from: artifacts)
        let sampler = ChainSampler(model: student.model, template: student.template,
                                   imageRoot: try shard.items.imageRoot(in: artifacts))
        let (drawn, problems) = try sampler.draw(
            items, chains: shard.sampling.chainsPerItem,
            sampling: SamplingOptions(temperature: shard.sampling.temperature, topP: shard.sampling.topP),
            maxNewTokens: shard.sampling.maxNewTokens, seed: shard.sampling.seed, itemsPerBatch: itemsPerBatch)
        for problem in problems {
            context.logger.warning("cannot read the item's image; leaving it out", metadata: ["problem": "\(problem)"])
        }
        let rows = drawn.map { SampledChains(id: $0.id, samples: $0.chains) }
        try artifacts.write(try RowFiles.jsonLines(rows), to: shard.output)
        let judge = FleetTopology.work(FleetTopology.Queue.judge,
                                       try Envelope(shard.judge, id: context.messageID + ".judge", runID: context.runID))
        let counters = StateKeys.counters(context.runID)
        return HandlerOutcome(
            result: ["items": String(rows.count), "chains": String(rows.count * shard.sampling.chainsPerItem)],
            increments: [CounterIncrement(key: counters, field: Counters.sampleShards, delta: 1),
                         CounterIncrement(key: counters, field: Counters.sampleChains,
                                          delta: rows.count * shard.sampling.chainsPerItem),
                         CounterIncrement(key: counters, field: Counters.sampleUnreadableImages, delta: problems.count)],
            events: [StreamAppend(stream: StateKeys.events(context.runID), fields: [
                "kind": EventKind.sampleShard.rawValue, "output": shard.output.path, "items": String(rows.count),
            ])],
            followUps: [judge])
    }
}
