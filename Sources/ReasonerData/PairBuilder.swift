/// One sampled response to a question, already judged.
public struct JudgedSample: Codable, Sendable, Equatable {
    /// The question (item) it answers.
    public var questionId: String
    /// The full response.
    public var text: String
    /// The judge's verdict.
    public var verdict: Verdict

    private enum CodingKeys: String, CodingKey {
        case questionId = "question_id", text, verdict
    }

    /// Creates a sample.
    public init(questionId: String, text: String, verdict: Verdict) {
        self.questionId = questionId
        self.text = text
        self.verdict = verdict
    }
}

/// A (correct, incorrect) pair of responses to one question.
public struct ResponsePair: Codable, Sendable, Equatable {
    /// The question.
    public var questionId: String
    /// The correct response.
    public var chosen: String
    /// The incorrect (wrong or unscorable) response.
    public var rejected: String

    private enum CodingKeys: String, CodingKey {
        case questionId = "question_id", chosen, rejected
    }
}

/// The pair builder's settings.
public struct PairConfig: Codable, Sendable, Equatable {
    /// Lowest sampled accuracy of a kept question (the paper's 0.25).
    public var minAccuracy: Double = 0.25
    /// Highest sampled accuracy of a kept question (the paper's 0.85).
    public var maxAccuracy: Double = 0.85
    /// Most pairs per question (the paper's 3).
    public var maxPairs: Int = 3
    /// Seed of the pair choice.
    public var seed: UInt64 = 0
    /// Whether unscorable samples may be rejected responses (a broken answer format is worth unlearning).
    public var rejectUnscorable: Bool = true

    /// The paper's defaults.
    public init() {}

    private enum CodingKeys: String, CodingKey {
        case minAccuracy = "min_accuracy", maxAccuracy = "max_accuracy", maxPairs = "max_pairs", seed,
             rejectUnscorable = "reject_unscorable"
    }
}

/// What the pair builder kept and why it dropped the rest.
public struct PairStatistics: Codable, Sendable, Equatable {
    /// Questions seen.
    public var questions = 0
    /// Questions that gave at least one pair.
    public var keptQuestions = 0
    /// Dropped: sampled accuracy below the window (too hard; no reliable chosen response).
    public var tooHard = 0
    /// Dropped: sampled accuracy above the window (too easy; little to learn).
    public var tooEasy = 0
    /// Dropped: inside the window but no two distinct texts to pair (or every correct sample failed the filter).
    public var noDistinctPair = 0
    /// Correct samples refused by the chosen-response filter (e.g. wrong intermediate values).
    public var chosenFiltered = 0
    /// Pairs emitted.
    public var pairs = 0
    /// Samples seen, by verdict.
    public var correctSamples = 0, wrongSamples = 0, unscorableSamples = 0

    private enum CodingKeys: String, CodingKey {
        case questions, keptQuestions = "kept_questions", tooHard = "too_hard", tooEasy = "too_easy",
             noDistinctPair = "no_distinct_pair", chosenFiltered = "chosen_filtered", pairs,
             correctSamples = "correct_samples", wrongSamples = "wrong_samples",
             unscorableSamples = "unscorable_samples"
    }
}

/// Builds DPO pairs from N judged samples per question, as the paper does.
///
/// Sampled accuracy is correct / all samples (unscorable counts as not correct). Pairs are drawn without replacement
/// from all distinct (correct text, incorrect text) combinations, seeded per question, so the result does not depend
/// on the order questions arrive in.
public struct PairBuilder: Sendable {
    /// The settings.
    public var config: PairConfig

    /// A builder.
    public init(config: PairConfig = PairConfig()) {
        self.config = config
    }

    /// Pairs for every question, in question order of first appearance.
    /// - Parameter acceptChosen: an extra test a correct sample must pass to be chosen (calibration.md: drop
    ///   "lucky" chains whose intermediate values are wrong); nil accepts every correct sample.
    public func build(_ samples: [JudgedSample],
                      acceptChosen: (@Sendable (JudgedSample) -> Bool)? = nil) -> ([ResponsePair], PairStatistics) {
        var order: [String] = []
        var groups: [String: [JudgedSample]] = [:]
        for sample in samples {
            if groups[sample.questionId] == nil { order.append(sample.questionId) }
            groups[sample.questionId, default: []].append(sample)
        }
        var stats = PairStatistics()
        var pairs: [ResponsePair] = []
        for id in order {
            let made = pairsForQuestion(id, groups[id] ?? [], acceptChosen: acceptChosen, stats: &stats)
            pairs += made
        }
        return (pairs, stats)
    }

    private func pairsForQuestion(_ id: String, _ group: [JudgedSample],
                                  acceptChosen: (@Sendable (JudgedSample) -> Bool)?,
                                  stats: inout PairStatistics) -> [ResponsePair] {
        stats.questions += 1
        for sample in group {
            switch sample.verdict {
            case .correct: stats.correctSamples += 1
            case .wrong: stats.wrongSamples += 1
            case .unscorable: stats.unscorableSamples += 1
            }
        }
        let correct = group.filter { $0.verdict == .correct }
        let accuracy = Double(correct.count) / Double(max(1, group.count))
        if accuracy < config.minAccuracy { stats.tooHard += 1; return [] }
        if accuracy > config.maxAccuracy { stats.tooEasy += 1; return [] }
        var accepted = correct
        if let acceptChosen {
            accepted = correct.filter(acceptChosen)
            stats.chosenFiltered += correct.count - accepted.count
        }
        let chosen = unique(accepted.map(\.text))
        let rejected = unique(group.filter {
            $0.verdict == .wrong || ($0.verdict == .unscorable && config.rejectUnscorable)
        }.map(\.text))
        var combos: [(Int, Int)] = []
        for c in chosen.indices {
            for r in rejected.indices where chosen[c] != rejected[r] { combos.append((c, r)) }
        }
        guard !combos.isEmpty else { stats.noDistinctPair += 1; return [] }
        var rng = SeededGenerator(seed: config.seed, stream: "pairs/\(id)")
        let picked = rng.sample(combos, count: min(config.maxPairs, combos.count))
        stats.keptQuestions += 1
        stats.pairs += picked.count
        return picked.map { ResponsePair(questionId: id, chosen: chosen[$0.0], rejected: rejected[$0.1]) }
    }

    private func unique(_ texts: [String]) -> [String] {
        var seen = Set<String>()
        return texts.filter { seen.insert($0).inserted }
    }
}

/// Cutting responses to their first words, applied when a trainer reads a pair (files keep the full text).
public enum ResponseTruncation {
    /// The paper's cut: 90 whitespace-separated words.
    public static let paperWords = 90

    /// The first `words` whitespace-separated words of `text`, joined by the original separators; the text itself
    /// when it is shorter.
    public static func firstWords(_ text: String, _ words: Int = paperWords) -> String {
        guard words > 0 else { return "" }
        var count = 0
        var inWord = false
        for index in text.indices {
            let blank = text[index].isWhitespace
            if !blank && !inWord {
                count += 1
                if count > words { return String(text[..<index]).trimmingTrailingWhitespace() }
            }
            inWord = !blank
        }
        return text
    }
}

extension String {
    fileprivate func trimmingTrailingWhitespace() -> String {
        var end = endIndex
        while end > startIndex, self[index(before: end)].isWhitespace { end = index(before: end) }
        return String(self[..<end])
    }
}
