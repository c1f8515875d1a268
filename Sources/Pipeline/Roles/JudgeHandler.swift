import Artifacts
import Foundation
import Messaging
import ReasonerData
import State
import Training

/// The judge: every sampled chain scored against the annotation and checked against the scene (`ChainSampler.judge`),
/// then pairs built per question (`ChainSampler.pairs`: the paper's window of sampled accuracy [0.25, 0.85], up to 3
/// random pairs each), optionally keeping only chosen chains whose intermediate values check out. Beside the pairs
/// it writes every judged chain (`.judged.jsonl`, what the report's statistics read) and the correct, checked chains
/// as CoT SFT rows (`.correct.jsonl`, rejection-sampling fine-tuning's data).
public struct JudgeHandler: MessageHandler {
    /// The artifacts volume.
    public let artifacts: ArtifactStore
    /// Distinct correct chains kept per question for rejection-sampling fine-tuning.
    public let correctChainsPerQuestion: Int

    /// A judge over an artifacts volume.
    public init(artifacts: ArtifactStore, correctChainsPerQuestion: Int = 4) {
        self.artifacts = artifacts
        self.correctChainsPerQuestion = correctChainsPerQuestion
    }

    public func handle(_ task: JudgeTask, context: HandlerContext) async throws -> HandlerOutcome {
        let items = try readItems(task.items)
        var judged: [JudgedChains] = []
        for row in try readSamples(task.samples) {
            guard let item = items[row.id] else {
                throw HandlerError.permanent("\(task.samples): item \(row.id) is not in \(task.items)")
            }
            judged.append(ChainSampler.judge(item, chains: row.samples))
        }
        let ordered = judged.compactMap { items[$0.id] }
        let (rows, statistics) = ChainSampler.pairs(judged, items: ordered, config: task.pairs,
                                                    requireRightIntermediates: task.checkChosenChains)
        let correct = judged.flatMap { entry -> [ConversationRow] in
            guard let item = items[entry.id] else { return [] }
            var seen = Set<String>()
            let chosen = zip(entry.chains, zip(entry.verdicts, entry.intermediatesRight)).filter { chain, check in
                check.0 == .correct && check.1 && seen.insert(chain).inserted
            }.prefix(correctChainsPerQuestion)
            return chosen.enumerated().map { index, entry in
                var row = TrainingRows.cot(item, response: entry.0)
                row.id += "-rft\(index)"
                return row
            }
        }
        try artifacts.write(try RowFiles.jsonLines(rows), to: task.output)
        try artifacts.write(try RowFiles.jsonLines(judged), to: try task.judged)
        try artifacts.write(try RowFiles.jsonLines(correct), to: try task.correct)
        let counters = StateKeys.counters(context.runID)
        let increments: [(String, Int)] = [
            (Counters.judgeShards, 1), (Counters.judgeCorrect, statistics.correctSamples),
            (Counters.judgeWrong, statistics.wrongSamples), (Counters.judgeUnscorable, statistics.unscorableSamples),
            (Counters.pairsQuestions, statistics.questions), (Counters.pairsKeptQuestions, statistics.keptQuestions),
            (Counters.pairsTooHard, statistics.tooHard), (Counters.pairsTooEasy, statistics.tooEasy),
            (Counters.pairsNoDistinct, statistics.noDistinctPair),
            (Counters.pairsChosenFiltered, statistics.chosenFiltered), (Counters.pairs, statistics.pairs),
        ]
        return HandlerOutcome(
            result: ["pairs": String(statistics.pairs), "samples": String(judged.reduce(0) { $0 + $1.chains.count })],
            increments: increments.map { CounterIncrement(key: counters, field: $0.0, delta: $0.1) },
            events: [StreamAppend(stream: StateKeys.events(context.runID), fields: [
                "kind": EventKind.judgeShard.rawValue, "output": task.output.path, "pairs": String(statistics.pairs),
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
