import Artifacts
import Foundation
import Messaging
import ReasonerData
import State

/// The judge: every sampled chain scored against the annotation (correct, wrong or unscorable, with the rule that
/// decided), then pairs built per question (paper: keep questions whose sampled accuracy is in [0.25, 0.85], up to 3
/// random pairs each), optionally keeping only chosen chains whose intermediate values check out against the scene.
public struct JudgeHandler: MessageHandler {
    /// The artifacts volume.
    public let artifacts: ArtifactStore

    /// A judge over an artifacts volume.
    public init(artifacts: ArtifactStore) {
        self.artifacts = artifacts
    }

    /// One verdict line.
    struct VerdictRow: Codable {
        var id: String
        var sample: Int
        var verdict: Verdict
        var rule: JudgeRule
        var extracted: String?
    }

    public func handle(_ task: JudgeTask, context: HandlerContext) async throws -> HandlerOutcome {
        let items = try readItems(task.items)
        let shard = try readSamples(task.samples)
        var judged: [JudgedSample] = []
        var verdicts: [VerdictRow] = []
        for row in shard {
            guard let item = items[row.id] else {
                throw HandlerError.permanent("\(task.samples): item \(row.id) is not in \(task.items)")
            }
            let key = AnswerKey(item)
            for (index, chain) in row.samples.enumerated() {
                let judgement = AnswerJudge.judge(chain, key: key)
                verdicts.append(VerdictRow(id: row.id, sample: index, verdict: judgement.verdict, rule: judgement.rule,
                                           extracted: judgement.extracted))
                judged.append(JudgedSample(questionId: row.id, text: chain, verdict: judgement.verdict))
            }
        }
        var check: (@Sendable (JudgedSample) -> Bool)?
        if task.checkChosenChains {
            let lookup = items
            check = { sample in
                guard let item = lookup[sample.questionId] else { return false }
                return ChainChecker.check(sample.text, item: item).intermediatesRight
            }
        }
        let (pairs, statistics) = PairBuilder(config: task.pairs).build(judged, acceptChosen: check)
        var counts: [String: Int] = [:]
        let rows = pairs.enumerated().compactMap { index, pair -> PreferenceRow? in
            guard let item = items[pair.questionId] else { return nil }
            counts[pair.questionId, default: 0] += 1
            return TrainingRows.preference(item, pair: pair, index: counts[pair.questionId]! - 1)
        }
        try artifacts.write(try RowFiles.jsonLines(rows), to: task.output)
        try artifacts.write(try RowFiles.jsonLines(verdicts), to: try ArtifactRef(task.output.path + ".verdicts.jsonl"))
        let counters = StateKeys.counters(context.runID)
        let increments: [(String, Int)] = [
            ("judge_shards", 1), ("judge_correct", statistics.correctSamples), ("judge_wrong", statistics.wrongSamples),
            ("judge_unscorable", statistics.unscorableSamples), ("pairs_questions", statistics.questions),
            ("pairs_kept_questions", statistics.keptQuestions), ("pairs_too_hard", statistics.tooHard),
            ("pairs_too_easy", statistics.tooEasy), ("pairs_no_distinct", statistics.noDistinctPair),
            ("pairs_chosen_filtered", statistics.chosenFiltered), ("pairs", statistics.pairs),
        ]
        return HandlerOutcome(
            result: ["pairs": String(statistics.pairs), "samples": String(judged.count)],
            increments: increments.map { CounterIncrement(key: counters, field: $0.0, delta: $0.1) },
            events: [StreamAppend(stream: StateKeys.events(context.runID), fields: [
                "kind": "judge.shard", "output": task.output.path, "pairs": String(statistics.pairs),
            ])])
    }

    private func readItems(_ ref: ArtifactRef) throws -> [String: SuiteItem] {
        let path = try artifacts.path(of: ref)
        guard FileManager.default.fileExists(atPath: path) else {
            throw HandlerError.permanent("the items file \(ref) does not exist in the artifacts volume")
        }
        let batch = try RowFiles.read(SuiteItem.self, path: path, imageRoot: nil)
        return Dictionary(batch.rows.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    private func readSamples(_ ref: ArtifactRef) throws -> [SampledChains] {
        let data: Data
        do {
            data = try artifacts.read(ref)
        } catch ArtifactError.notFound {
            throw HandlerError.permanent("the samples file \(ref) does not exist in the artifacts volume")
        }
        let lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        return try lines.enumerated().compactMap { line, bytes in
            guard !bytes.isEmpty else { return nil }
            do {
                return try JSONDecoder().decode(SampledChains.self, from: Data(bytes))
            } catch {
                throw HandlerError.permanent("\(ref):\(line + 1): not a samples row {id, samples} (\(error))")
            }
        }
    }
}
