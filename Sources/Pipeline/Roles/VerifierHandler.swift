import Artifacts
import Foundation
import Messaging
import Model
import ReasonerData
import State
import Training

/// The verifier: N chains per test item from the SFT student (`ChainSampler`, seeded by item), each judged, then
/// scored under the SFT model and under the DPO model (one model in memory at a time) into rewards
/// β·(log π_DPO − log π_SFT) (`Verifier`). The report turns them into best-of-N, reward-weighted voting and
/// majority voting at every N.
public struct VerifierHandler: MessageHandler {
    /// The artifacts volume.
    public let artifacts: ArtifactStore

    /// A verifier over an artifacts volume.
    public init(artifacts: ArtifactStore) {
        self.artifacts = artifacts
    }

    public func handle(_ shard: VerifierShard, context: HandlerContext) async throws -> HandlerOutcome {
        do { try shard.sampling.validate("verifier.sampling") } catch { throw HandlerError.permanent("\(error)") }
        let items = try shard.items.read(from: artifacts)
        let root = try shard.items.imageRoot(in: artifacts)
        let sft = try StudentLoading.load(shard.sft, from: artifacts)
        let (drawn, problems) = try ChainSampler(model: sft.model, template: sft.template, imageRoot: root).draw(
            items, chains: shard.sampling.chainsPerItem,
            sampling: SamplingOptions(temperature: shard.sampling.temperature, topP: shard.sampling.topP),
            maxNewTokens: shard.sampling.maxNewTokens, seed: shard.sampling.seed)
        let byID = Dictionary(items.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let judged = drawn.compactMap { entry in byID[entry.id].map { ChainSampler.judge($0, chains: entry.chains) } }
        let rows = RowExamples(template: sft.template, config: sft.model.config)
        let examples = try Verifier.examples(judged, items: items, rows: rows, imageRoot: root)
        let reference = try sft.model.responseLogProbs(examples)
        let dpo = try StudentLoading.load(shard.dpo, from: artifacts)
        let policy = try dpo.model.responseLogProbs(examples)
        let rewarded = Verifier.rewards(judged, policy: policy, reference: reference, beta: shard.beta)
        try artifacts.write(try RowFiles.jsonLines(rewarded), to: shard.output)
        return HandlerOutcome(
            result: ["items": String(rewarded.count), "unreadable": String(problems.count)],
            increments: [CounterIncrement(key: StateKeys.counters(context.runID), field: Counters.verifierShards,
                                          delta: 1)],
            events: [StreamAppend(stream: StateKeys.events(context.runID), fields: [
                "kind": EventKind.verifierShard.rawValue, "output": shard.output.path, "items": String(rewarded.count),
            ])])
    }
}
