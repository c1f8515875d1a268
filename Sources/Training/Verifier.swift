import Foundation
import Model
import ReasonerData

/// One item's sampled chains with their DPO rewards.
public struct RewardedChains: Codable, Sendable, Equatable {
    /// The judged chains.
    public var judged: JudgedChains
    /// β·(log π_DPO(y|x) − log π_SFT(y|x)) per chain.
    public var rewards: [Double]
}

/// Accuracy of three ways to pick an answer from the first N chains of each item.
public struct VerifierPoint: Codable, Sendable, Equatable {
    /// Chains used per item.
    public var n: Int
    /// The most frequent extracted answer (ties: the one seen first).
    public var majority: Double
    /// The answer of the chain with the highest DPO reward.
    public var bestOfN: Double
    /// The answer with the largest sum of reward weights `exp(r − max r)` over the chains giving it.
    public var weightedVote: Double
    /// Whether any of the N chains is right (the ceiling every picking rule stays below).
    public var anyCorrect: Double
}

/// The DPO model as a verifier (the paper, section 5): the implicit reward β·log(π_DPO/π_SFT) ranks chains sampled
/// from the SFT model. Rewards are computed with one model in memory at a time: the caller scores all chains under
/// the SFT model, then under the DPO model.
public enum Verifier {
    /// The scoring examples of every chain (CoT prompt of its item, whole response), item by item.
    public static func examples(_ judged: [JudgedChains], items: [SuiteItem], rows: RowExamples,
                                imageRoot: String) throws -> [VLMExample] {
        let byID = Dictionary(items.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let scoring = ScoredResponses(template: rows.template, maxWords: nil)
        var examples: [VLMExample] = []
        for entry in judged {
            guard let item = byID[entry.id] else {
                throw TrainingError.noUsableData("chains for \(entry.id), which is not among the items")
            }
            let image = try rows.image(item.image, root: imageRoot)
            let prompt = "<image>\n" + StudentPrompt.text(for: item, mode: .cot)
            for chain in entry.chains { examples.append(try scoring.example(image: image, prompt: prompt, response: chain)) }
        }
        return examples
    }

    /// Attaches rewards β·(policy − reference) to the chains, given both models' log-probs in `examples` order.
    public static func rewards(_ judged: [JudgedChains], policy: [Float], reference: [Float],
                               beta: Double) -> [RewardedChains] {
        var offset = 0
        return judged.map { entry in
            let rewards = (0..<entry.chains.count).map { beta * Double(policy[offset + $0] - reference[offset + $0]) }
            offset += entry.chains.count
            return RewardedChains(judged: entry, rewards: rewards)
        }
    }

    /// Per item, whether majority voting, best-of-N and reward-weighted voting over the first `n` chains are right
    /// (what a paired comparison of two picking rules needs), in `rewarded` order.
    public static func outcomes(_ rewarded: [RewardedChains], items: [SuiteItem],
                                n: Int) -> (majority: [Bool], bestOfN: [Bool], weighted: [Bool]) {
        let keys = Dictionary(items.map { ($0.id, AnswerKey($0)) }, uniquingKeysWith: { first, _ in first })
        var out: (majority: [Bool], bestOfN: [Bool], weighted: [Bool]) = ([], [], [])
        for entry in rewarded {
            guard let key = keys[entry.judged.id] else { continue }
            let count = min(n, entry.judged.chains.count)
            let answers = Array(entry.judged.answers.prefix(count)), rewards = Array(entry.rewards.prefix(count))
            let right = { (answer: String?) in answer.map { AnswerJudge.score($0, key: key).verdict == .correct } ?? false }
            out.majority.append(right(vote(answers, weights: Array(repeating: 1, count: count))))
            let top = rewards.indices.max(by: { rewards[$0] < rewards[$1] })
            out.bestOfN.append(top.map { entry.judged.verdicts[$0] == .correct } ?? false)
            let peak = rewards.max() ?? 0
            out.weighted.append(right(vote(answers, weights: rewards.map { exp($0 - peak) })))
        }
        return out
    }

    /// Accuracy of majority voting, best-of-N and reward-weighted voting over the first N chains, for each N.
    public static func curve(_ rewarded: [RewardedChains], items: [SuiteItem], ns: [Int]) -> [VerifierPoint] {
        let known = Set(items.map(\.id))
        let scored = rewarded.filter { known.contains($0.judged.id) }
        let total = Double(max(1, scored.count))
        func share(_ outcomes: [Bool]) -> Double { Double(outcomes.filter { $0 }.count) / total }
        return ns.map { n in
            let o = outcomes(scored, items: items, n: n)
            let any = scored.filter { $0.judged.verdicts.prefix(n).contains(.correct) }.count
            return VerifierPoint(n: n, majority: share(o.majority), bestOfN: share(o.bestOfN),
                                 weightedVote: share(o.weighted), anyCorrect: Double(any) / total)
        }
    }

    /// The answer with the largest total weight (normalised text; ties: the first seen); nil when none was read.
    static func vote(_ answers: [String?], weights: [Double]) -> String? {
        var totals: [String: Double] = [:]
        var first: [String: Int] = [:]
        var original: [String: String] = [:]
        for (index, (answer, weight)) in zip(answers, weights).enumerated() {
            guard let answer else { continue }
            let normal = AnswerNormaliser.number(answer).map { "\($0)" } ?? AnswerNormaliser.words(answer)
            totals[normal, default: 0] += weight
            if first[normal] == nil { first[normal] = index; original[normal] = answer }
        }
        let winner = totals.max { a, b in a.value != b.value ? a.value < b.value : first[a.key]! > first[b.key]! }
        return winner.flatMap { original[$0.key] }
    }
}
