import Foundation
import Testing
@testable import ReasonerData

@Test(arguments: [0.0, 0.1, 0.3])
func teacherErrsAtItsRateAndItsErrorsAreJudgedWrong(rate: Double) throws {
    let items = try SuiteFixtures.items(test: 400)
    let teacher = OfflineTeacher(seed: 11, errorRate: rate)
    var errors = 0
    for item in items {
        let rationale = teacher.rationale(for: item)
        let verdict = AnswerJudge.judge(rationale.text, key: AnswerKey(item)).verdict
        if rationale.error != nil {
            errors += 1
            #expect(verdict == .wrong, "\(item.id) \(item.answer) \(String(describing: item.choices)): an erring rationale was judged \(verdict): \(rationale.text)")
        } else {
            #expect(verdict == .correct, "\(item.id): a clean rationale was judged \(verdict): \(rationale.text)")
            #expect(rationale.solution == item.solution)
        }
    }
    // 2,000 draws: the binomial standard deviation is at most 1.1 points; allow four of them.
    let observed = Double(errors) / Double(items.count)
    #expect(abs(observed - rate) <= 0.045, "error rate \(observed), asked \(rate)")
}

@Test func teacherUsesBothKindsOfError() throws {
    let teacher = OfflineTeacher(seed: 5, errorRate: 1)
    let kinds = try SuiteFixtures.items(test: 100).compactMap { teacher.rationale(for: $0).error }
    #expect(kinds.contains(.wrongReading) && kinds.contains(.wrongStep))
}

@Test func rationalesAreDeterministicShortAndEndWithTheAnswer() throws {
    let items = try SuiteFixtures.items(test: 100)
    let a = OfflineTeacher(seed: 2, errorRate: 0.2), b = OfflineTeacher(seed: 2, errorRate: 0.2)
    var wordings = Set<String>()
    for item in items {
        let text = a.rationale(for: item).text
        #expect(text == b.rationale(for: item).text)
        #expect(text.hasPrefix(item.scene.caption.split(separator: ":")[0] + ":"), "starts from the caption")
        #expect(text.hasSuffix("\n\n### Answer: \(a.rationale(for: item).answer)"))
        // Well inside the 90 words DPO keeps, so a truncated chain still ends with its answer.
        #expect(text.split(whereSeparator: \.isWhitespace).count <= 75, "\(item.id) is long: \(text)")
        wordings.insert(text.replacingOccurrences(of: #"\d+"#, with: "N", options: .regularExpression))
    }
    #expect(wordings.count > items.count / 2, "wording should vary")
}

@Test func cleanChainsPassTheIntermediateCheckAndWrongStepsFailIt() throws {
    let items = try SuiteFixtures.items(test: 100)
    let clean = OfflineTeacher(seed: 3, errorRate: 0)
    let faulty = OfflineTeacher(seed: 3, errorRate: 1)
    for item in items {
        #expect(ChainChecker.check(clean.rationale(for: item).text, item: item).intermediatesRight,
                "\(item.id)")
        let wrong = faulty.rationale(for: item)
        let check = ChainChecker.check(wrong.text, item: item)
        #expect(!check.intermediatesRight, "\(item.id): a wrong chain passed: \(wrong.text)")
    }
}

@Test func teacherPromptsFollowThePaper() {
    for family in Family.allCases {
        let prompt = TeacherPrompt.forFamily(family)
        #expect(prompt.system == TeacherPrompt.systemPrompt)
        let message = prompt.userMessage(question: "How many?")
        #expect(message.contains("Question: How many?") && message.hasSuffix("### Answer: <your answer>"))
    }
    #expect(TeacherPrompt.forFamily(.choice).instruction.contains("letter choice"))
}

@Test func studentPromptsAndTargetsUseThePaperWords() throws {
    let items = try SuiteFixtures.items(test: 5)
    let choice = try #require(items.first { $0.family == .choice })
    let chart = try #require(items.first { $0.family == .chart })
    #expect(StudentPrompt.text(for: choice, mode: .cot).hasSuffix(
        "\nD. \(choice.choices![3])\nGenerate a reason first and then output a letter answer."))
    #expect(StudentPrompt.text(for: chart, mode: .cot) == chart.question
        + "\nGenerate a reason first and then output a short answer.")
    #expect(StudentPrompt.text(for: chart, mode: .direct) == chart.question
        + "\nAnswer the question with a short answer.")
    #expect(StudentPrompt.cotTarget(rationale: "R.", answer: "B. 4") == "R.\n\n### Answer: B. 4")
}

@Test func checkerReadsNegativeNumbersAfterEquals() {
    let right = ChainChecker.check("5 - 6 = -1.", scene: .math(TileScene(tiles: [])), solution: Solution(
        readings: [], steps: [.arithmetic(lhs: 5, op: .minus, rhs: 6, result: -1)]))
    #expect(right.computedLines == 1 && right.computedWrong == 0 && right.found == 1)
    let wrong = ChainChecker.check("5 - 6 = 1.", scene: .math(TileScene(tiles: [])), solution: Solution(
        readings: [], steps: []))
    #expect(wrong.computedWrong == 1)
}
