import Artifacts

/// Where a run's artifacts live in the volume — the one place that names them:
///
/// ```
/// runs/<run>/pipeline.json           the definition
/// runs/<run>/data/                   the generated suite (manifest.json last)
/// runs/<run>/data/<split>-first<N>.jsonl  the items a sampling or evaluation budget covers
/// runs/<run>/distill/batch-*.jsonl   kept rationales (LLaVA rows) and their reports
/// runs/<run>/rows/<name>.jsonl       training rows: direct, cot (all distill batches), validation, pairs (all shards)
/// runs/<run>/checkpoints/<model>/    training run folders: pretrain, sft-<mix> (one per mix), dpo
/// runs/<run>/samples/shard-*.jsonl   sampled chains; pairs/shard-*.jsonl the judge's DPO rows (and beside each:
///                                    .judged.jsonl verdicts and checks, .correct.jsonl the correct chains as SFT rows)
/// runs/<run>/samples-2/, pairs-2/    the same for iterative DPO's second round
/// runs/<run>/verifier/shard-*.jsonl  test chains with their DPO rewards
/// runs/<run>/eval/<model>/<mode>/    per-item results by shard; eval/summary.json, results.md, findings.json
/// ```
public struct RunLayout: Sendable {
    /// The run.
    public let runID: String

    /// The layout of `runID`.
    public init(runID: String) {
        self.runID = runID
    }

    private func ref(_ path: String) throws -> ArtifactRef { try ArtifactRef("runs/\(runID)/" + path) }

    /// The run's definition.
    public var definition: ArtifactRef { get throws { try ref("pipeline.json") } }
    /// The generated suite's folder.
    public var data: ArtifactRef { get throws { try ref("data") } }
    /// A distill batch's kept rows.
    public func distillBatch(_ index: Int) throws -> ArtifactRef { try ref("distill/batch-\(Self.number(index)).jsonl") }
    /// The folder of all distill batches.
    public var distill: ArtifactRef { get throws { try ref("distill") } }
    /// A training rows file (`direct`, `cot`, `validation`, `pairs`).
    public func rows(_ name: String) throws -> ArtifactRef { try ref("rows/\(name).jsonl") }
    /// The folder of every training job's run folder.
    public var checkpoints: ArtifactRef { get throws { try ref("checkpoints") } }
    /// A training job's run folder (`pretrain`, `sft-format+cot`, `dpo`): its checkpoints, metrics and summary.
    public func checkpoint(_ model: String) throws -> ArtifactRef { try ref("checkpoints/\(model)") }
    /// A sampling shard's chains (round 2: iterative DPO's second round).
    public func samples(_ shard: Int, round: Int = 1) throws -> ArtifactRef {
        try ref("samples\(round == 1 ? "" : "-\(round)")/shard-\(Self.number(shard)).jsonl")
    }
    /// A judged shard's DPO rows.
    public func pairs(_ shard: Int, round: Int = 1) throws -> ArtifactRef {
        try ref("pairs\(round == 1 ? "" : "-\(round)")/shard-\(Self.number(shard)).jsonl")
    }
    /// The folder of the verifier's shards.
    public var verifierFolder: ArtifactRef { get throws { try ref("verifier") } }
    /// A verifier shard's chains and rewards.
    public func verifier(_ shard: Int) throws -> ArtifactRef { try ref("verifier/shard-\(Self.number(shard)).jsonl") }
    /// An evaluation shard's per-item results.
    public func evaluation(model: String, mode: String, shard: Int) throws -> ArtifactRef {
        try ref("eval/\(model)/\(mode)/shard-\(Self.number(shard)).jsonl")
    }
    /// The evaluation's folder (summary, results.md, plots).
    public var evaluations: ArtifactRef { get throws { try ref("eval") } }

    private static func number(_ index: Int) -> String {
        let digits = String(index)
        return String(repeating: "0", count: max(0, 5 - digits.count)) + digits
    }
}
