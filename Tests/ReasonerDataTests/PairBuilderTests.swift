import Testing
@testable import ReasonerData

/// `correct` right and `wrong` wrong samples for one question, texts numbered so they are distinct.
private func samples(_ id: String, correct: Int, wrong: Int, unscorable: Int = 0) -> [JudgedSample] {
    (0..<correct).map { JudgedSample(questionId: id, text: "\(id) good \($0)", verdict: .correct) }
        + (0..<wrong).map { JudgedSample(questionId: id, text: "\(id) bad \($0)", verdict: .wrong) }
        + (0..<unscorable).map { JudgedSample(questionId: id, text: "\(id) odd \($0)", verdict: .unscorable) }
}

@Test func onlyQuestionsInsideTheAccuracyWindowGivePairs() {
    let all = samples("hard", correct: 1, wrong: 7)      // 0.125
    + samples("edge-low", correct: 2, wrong: 6)           // 0.25, kept
    + samples("mid", correct: 4, wrong: 4)                // 0.5
    + samples("edge-high", correct: 17, wrong: 3)         // 0.85, kept
    + samples("easy", correct: 7, wrong: 1)               // 0.875
    + samples("perfect", correct: 8, wrong: 0)
    let (pairs, stats) = PairBuilder().build(all)
    #expect(Set(pairs.map(\.questionId)) == ["edge-low", "mid", "edge-high"])
    #expect(stats.questions == 6 && stats.keptQuestions == 3 && stats.tooHard == 1 && stats.tooEasy == 2)
    #expect(stats.pairs == 9 && pairs.count == 9)
    #expect(stats.correctSamples == 39 && stats.wrongSamples == 21)
}

@Test func atMostKDistinctPairsPerQuestionAndNeverIdenticalTexts() {
    var config = PairConfig()
    config.maxPairs = 5
    let (pairs, _) = PairBuilder(config: config).build(samples("q", correct: 4, wrong: 4))
    #expect(pairs.count == 5)
    #expect(Set(pairs.map { $0.chosen + "|" + $0.rejected }).count == 5)
    #expect(pairs.allSatisfy { $0.chosen.contains("good") && $0.rejected.contains("bad") })
    // Duplicated texts collapse: two distinct correct texts x one wrong text = two pairs at most.
    let dup = [JudgedSample(questionId: "d", text: "same", verdict: .correct),
               JudgedSample(questionId: "d", text: "same", verdict: .correct),
               JudgedSample(questionId: "d", text: "other", verdict: .correct),
               JudgedSample(questionId: "d", text: "same", verdict: .wrong),
               JudgedSample(questionId: "d", text: "bad", verdict: .wrong),
               JudgedSample(questionId: "d", text: "bad", verdict: .wrong)]
    let (dupPairs, _) = PairBuilder(config: config).build(dup)
    #expect(dupPairs.allSatisfy { $0.chosen != $0.rejected })
    #expect(dupPairs.count == 3)   // same|bad, other|same, other|bad
    // A question whose only "wrong" text equals its only correct text has no pair.
    let clash = [JudgedSample(questionId: "c", text: "x", verdict: .correct),
                 JudgedSample(questionId: "c", text: "x", verdict: .wrong)]
    let (none, stats) = PairBuilder().build(clash)
    #expect(none.isEmpty && stats.noDistinctPair == 1)
}

@Test func pairsAreSeededAndIndependentOfQuestionOrder() {
    let a = samples("a", correct: 4, wrong: 4), b = samples("b", correct: 3, wrong: 5)
    var config = PairConfig()
    config.seed = 1
    let first = PairBuilder(config: config).build(a + b).0
    #expect(first == PairBuilder(config: config).build(a + b).0)
    let reordered = PairBuilder(config: config).build(b + a).0
    #expect(Set(first.map { $0.chosen + $0.rejected }) == Set(reordered.map { $0.chosen + $0.rejected }))
    config.seed = 2
    let other = (0..<5).map { seed -> [ResponsePair] in
        config.seed = UInt64(seed + 2)
        return PairBuilder(config: config).build(a + b).0
    }
    #expect(other.contains { $0 != first })
}

@Test func unscorableSamplesAreRejectableByChoiceAndChosenFilterApplies() {
    let group = samples("u", correct: 2, wrong: 0, unscorable: 2)
    let (pairs, _) = PairBuilder().build(group)
    #expect(pairs.count == 3 && pairs.allSatisfy { $0.rejected.contains("odd") })
    var config = PairConfig()
    config.rejectUnscorable = false
    let (none, stats) = PairBuilder(config: config).build(group)
    #expect(none.isEmpty && stats.noDistinctPair == 1)
    let (filtered, filterStats) = PairBuilder().build(samples("f", correct: 4, wrong: 4)) {
        $0.text.hasSuffix("0")
    }
    #expect(Set(filtered.map(\.chosen)) == ["f good 0"] && filterStats.chosenFiltered == 3)
}

@Test func truncationKeepsTheFirstWordsOnly() {
    let text = (1...100).map(String.init).joined(separator: " ") + "\n\n### Answer: 4"
    let cut = ResponseTruncation.firstWords(text)
    #expect(cut.split(separator: " ").count == 90 && cut.hasSuffix(" 90") && !cut.contains("Answer"))
    #expect(ResponseTruncation.firstWords("a  b\nc", 2) == "a  b")
    #expect(ResponseTruncation.firstWords("short one", 90) == "short one")
    #expect(ResponseTruncation.firstWords("x y", 0) == "")
}
