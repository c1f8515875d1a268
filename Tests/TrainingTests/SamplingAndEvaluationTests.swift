import Foundation
import Model
import ReasonerData
import Testing
import Tokenization
@testable import Training

/// Chain sampling is shardable and reproducible; evaluation streams results and resumes; intervals are seeded.
@Suite struct SamplingAndEvaluationTests {
    func student(_ world: TrainingWorld) throws -> (StudentVLM, ChatTemplate) {
        let loaded = try StudentCheckpoint.load(from: world.start)
        return (loaded.model, try ChatTemplate(tokenizer: loaded.tokenizer))
    }

    @Test func chainsOfAnItemDoNotDependOnTheShardThatDrawsThem() throws {
        let world = try TrainingWorld()
        defer { world.remove() }
        let (model, template) = try student(world)
        let sampler = ChainSampler(model: model, template: template, imageRoot: world.suite)
        let items = Array(try world.items("train").prefix(4))
        func draw(_ items: [SuiteItem], seed: UInt64 = 42) throws -> [(id: String, chains: [String])] {
            try sampler.draw(items, chains: 3, sampling: SamplingOptions(temperature: 1), maxNewTokens: 12,
                             seed: seed).chains
        }
        let whole = try draw(items)
        let shards = try draw(Array(items[2...])) + draw(Array(items[..<2].reversed())).reversed()
        #expect(whole.map(\.id) == items.map(\.id))
        #expect(Set(whole.map { $0.chains.count }) == [3])
        #expect(whole.map(\.chains) == (shards[2...] + shards[..<2]).map(\.chains))
        #expect(try draw(items, seed: 43).map(\.chains) != whole.map(\.chains))
    }

    @Test func pairsComeFromJudgedChainsAndTheFilterDropsWrongIntermediates() throws {
        let world = try TrainingWorld()
        defer { world.remove() }
        let items = Array(try world.items("train").prefix(3))
        let right = OfflineTeacher(seed: 1, errorRate: 0), wrong = OfflineTeacher(seed: 1, errorRate: 1)
        // Each item: two right chains, one right answer reached through a wrong value, two wrong chains.
        let judged = items.map { item in
            let good = right.rationale(for: item).text
            let lucky = good.replacingOccurrences(of: "Bars:", with: "Bars: (7 - 3 = 5)")
            return ChainSampler.judge(item, chains: [good, good + " ", lucky, wrong.rationale(for: item).text,
                                                     "no answer"])
        }
        #expect(judged.allSatisfy { $0.verdicts.filter { $0 == .correct }.count == 3 })
        #expect(judged.allSatisfy { $0.intermediatesRight == [true, true, false, false, false] })
        var config = PairConfig()
        config.maxPairs = 10
        let all = ChainSampler.pairs(judged, items: items, config: config, requireRightIntermediates: false)
        let filtered = ChainSampler.pairs(judged, items: items, config: config, requireRightIntermediates: true)
        #expect(all.rows.count == 3 * 3 * 2)
        #expect(filtered.rows.count == 3 * 2 * 2 && filtered.statistics.chosenFiltered == 3)
        #expect(filtered.rows.allSatisfy { $0.question.hasPrefix("<image>\n") && $0.image != nil })
    }

    @Test func evaluationStreamsResultsAndAResumedRunSkipsWhatIsDone() throws {
        let world = try TrainingWorld()
        defer { world.remove() }
        let (model, template) = try student(world)
        let evaluator = Evaluator(model: model, template: template, imageRoot: world.suite)
        let items = try world.items("test")
        let results = URL(fileURLWithPath: world.folder("eval/results.jsonl"))
        let config = EvaluationConfig(maxNewTokens: 8, itemsPerBatch: 3, resamples: 200, seed: 1)
        var streamed: [ItemResult] = []
        let first = try evaluator.evaluate(Array(items.prefix(2)), config: config, resultsFile: results) {
            streamed.append($0)
        }
        #expect(streamed.count == 4 && first.average["cot"]?.count == 2)
        var again: [ItemResult] = []
        let summary = try evaluator.evaluate(items, config: config, resultsFile: results) { again.append($0) }
        #expect(again.count == 2 * (items.count - 2), "only the new items are generated")
        #expect(Set(again.map(\.id)).isDisjoint(with: streamed.map(\.id)))
        #expect(summary.cells["chart"]?["direct"]?.count == items.count)
        #expect(summary.cells["chart"]?["cot"]?.count == items.count)
        let rerun = try evaluator.evaluate(items, config: config, resultsFile: results)
        #expect(rerun == summary)
    }

    @Test func bootstrapIntervalsAreSeededAndBracketTheAccuracy() {
        let outcomes = (0..<200).map { $0 % 4 != 0 }
        let a = BootstrapInterval.estimate(outcomes, resamples: 500, seed: 3)
        #expect(a == BootstrapInterval.estimate(outcomes, resamples: 500, seed: 3))
        #expect(a.accuracy == 0.75 && a.correct == 150)
        #expect(a.low < 0.75 && a.high > 0.75 && a.low > 0.65 && a.high < 0.85)
        #expect(BootstrapInterval.estimate(Array(repeating: true, count: 5), seed: 1).low == 1)
    }

    @Test func verifierRanksByRewardAndVotesByWeight() throws {
        let world = try TrainingWorld()
        defer { world.remove() }
        let item = try world.items("test")[0]
        let right = OfflineTeacher(seed: 1, errorRate: 0).rationale(for: item).text
        let wrong = OfflineTeacher(seed: 1, errorRate: 1).rationale(for: item).text
        // Wrong answers are the majority, but the right chain has by far the highest reward.
        let judged = ChainSampler.judge(item, chains: [wrong, wrong, right, wrong])
        let rewarded = Verifier.rewards([judged], policy: [-10, -10, -1, -10], reference: [-9, -9, -9, -9], beta: 1)
        #expect(rewarded[0].rewards == [-1, -1, 8, -1])
        let curve = Verifier.curve(rewarded, items: [item], ns: [1, 2, 4])
        #expect(curve.map(\.n) == [1, 2, 4])
        #expect(curve.map(\.majority) == [0, 0, 0])
        #expect(curve.map(\.bestOfN) == [0, 0, 1])
        #expect(curve.map(\.weightedVote) == [0, 0, 1])
    }
}
