import Testing
@testable import ReasonerData

/// One tricky case: a response, the reference, and what the judge must say.
struct JudgeCase: CustomTestStringConvertible, Sendable {
    let response: String
    let key: AnswerKey
    let verdict: Verdict
    let extracted: String?
    let rule: JudgeRule
    var testDescription: String { "\(response.debugDescription) vs \(key.answer)" }

    init(_ response: String, _ answer: String, _ type: AnswerType, choices: [String]? = nil, answers: [String]? = nil,
         _ verdict: Verdict, _ extracted: String?, _ rule: JudgeRule) {
        self.response = response
        key = AnswerKey(answer: answer, answerType: type, choices: choices, answers: answers)
        self.verdict = verdict
        self.extracted = extracted
        self.rule = rule
    }
}

let mcq = ["3", "4", "5", "6"]
let colours = ["red", "blue", "green", "yellow"]

let judgeCases: [JudgeCase] = [
    // Extraction: the last marker wins, any case and spacing, any number of #.
    JudgeCase("7 - 3 = 4.\n\n### Answer: 4", "4", .number, .correct, "4", .relaxed),
    JudgeCase("### Answer: 5\nwait.\n### Answer: 4", "4", .number, .correct, "4", .relaxed),
    JudgeCase("so...\n###answer:4", "4", .number, .correct, "4", .relaxed),
    JudgeCase("##  ANSWER :   4  ", "4", .number, .correct, "4", .relaxed),
    JudgeCase("### Answer:\n\n4", "4", .number, .correct, "4", .relaxed),
    JudgeCase("reasoning ### Answer:   ", "4", .number, .unscorable, nil, .noAnswer),
    // Fallbacks.
    JudgeCase("The bars differ. Final answer: 4", "4", .number, .correct, "4", .relaxed),
    JudgeCase("Red is 7, blue 3.\n**Answer:** 4", "4", .number, .correct, "4", .relaxed),
    JudgeCase("### **Answer**: **red**", "red", .word, .correct, "red", .exact),
    JudgeCase("Red is 7 and blue is 3, so the answer is 4.", "4", .number, .correct, "4", .relaxed),
    JudgeCase("the answer is 4.5 units", "4.5", .number, .correct, "4.5 units", .relaxed),
    JudgeCase("4", "4", .number, .correct, "4", .relaxed),
    JudgeCase("  four ", "4", .number, .correct, "four", .relaxed),
    JudgeCase("Red is 7. Blue is 3. Red is higher than blue by some amount that I will not state here.", "4",
              .number, .unscorable, nil, .noAnswer),
    JudgeCase("", "4", .number, .unscorable, nil, .noAnswer),
    // Numbers: relaxed accuracy and normalisation.
    JudgeCase("### Answer: 1,000", "1000", .number, .correct, "1,000", .relaxed),
    JudgeCase("### Answer: 56%", "56", .number, .correct, "56%", .relaxed),
    JudgeCase("### Answer: 56 meters", "56", .number, .correct, "56 meters", .relaxed),
    JudgeCase("### Answer: 4.0", "4", .number, .correct, "4.0", .relaxed),
    JudgeCase("### Answer: 104", "100", .number, .correct, "104", .relaxed),
    JudgeCase("### Answer: 106", "100", .number, .wrong, "106", .relaxed),
    JudgeCase("### Answer: 5", "4", .number, .wrong, "5", .relaxed),
    JudgeCase("### Answer: -3", "3", .number, .wrong, "-3", .relaxed),
    JudgeCase("### Answer: 0", "0", .number, .correct, "0", .relaxed),
    JudgeCase("### Answer: 0.01", "0", .number, .wrong, "0.01", .relaxed),
    JudgeCase("### Answer: 7 - 3 = 4", "4", .number, .correct, "7 - 3 = 4", .relaxed),
    JudgeCase("### Answer: red", "4", .number, .wrong, "red", .notANumber),
    JudgeCase("### Answer: $12.50", "12.5", .number, .correct, "$12.50", .relaxed),
    // Words.
    JudgeCase("### Answer: Red.", "red", .word, .correct, "Red.", .exact),
    JudgeCase("### Answer: the red bar", "red bar", .word, .correct, "the red bar", .exact),
    JudgeCase("### Answer: blue", "red", .word, .wrong, "blue", .mismatch),
    // Multiple choice: letters, option text, and never a guess.
    JudgeCase("### Answer: B. 4", "B. 4", .multipleChoice, choices: mcq, .correct, "B. 4", .letter),
    JudgeCase("### Answer: (B)", "B. 4", .multipleChoice, choices: mcq, .correct, "(B)", .letter),
    JudgeCase("### Answer: b", "B. 4", .multipleChoice, choices: mcq, .correct, "b", .letter),
    JudgeCase("### Answer: Option B", "B", .multipleChoice, choices: mcq, .correct, "Option B", .letter),
    JudgeCase("### Answer: C. 4", "B. 4", .multipleChoice, choices: mcq, .wrong, "C. 4", .letter),
    JudgeCase("### Answer: 4", "B. 4", .multipleChoice, choices: mcq, .correct, "4", .optionText),
    JudgeCase("### Answer: 6", "B. 4", .multipleChoice, choices: mcq, .wrong, "6", .optionText),
    JudgeCase("### Answer: 9", "B. 4", .multipleChoice, choices: mcq, .unscorable, "9", .noOption),
    JudgeCase("### Answer: E", "B. 4", .multipleChoice, choices: mcq, .unscorable, "E", .noOption),
    JudgeCase("### Answer: Blue", "B. blue", .multipleChoice, choices: colours, .correct, "Blue", .optionText),
    JudgeCase("### Answer: Green", "B. blue", .multipleChoice, choices: colours, .wrong, "Green", .optionText),
    JudgeCase("### Answer: A red one", "B. blue", .multipleChoice, choices: colours, .wrong, "A red one", .letter),
    // ANLS and VQA accuracy.
    JudgeCase("### Answer: Invoice 2041", "invoice 2041", .anls, .correct, "Invoice 2041", .anls),
    JudgeCase("### Answer: invoce 2041", "invoice 2041", .anls, .correct, "invoce 2041", .anls),
    JudgeCase("### Answer: receipt", "invoice 2041", .anls, .wrong, "receipt", .anls),
    JudgeCase("### Answer: two", "2", .vqa, answers: ["2", "2", "2", "two", "3"], .correct, "two", .vqa),
    JudgeCase("### Answer: 3", "2", .vqa, answers: ["2", "2", "2", "3"], .wrong, "3", .vqa),
    JudgeCase("### Answer: 3", "2", .vqa, answers: ["2", "3", "3", "3"], .correct, "3", .vqa),
]

@Test(arguments: judgeCases)
func judgeTrickyCase(_ testCase: JudgeCase) {
    let judgement = AnswerJudge.judge(testCase.response, key: testCase.key)
    #expect(judgement.verdict == testCase.verdict)
    #expect(judgement.extracted == testCase.extracted)
    #expect(judgement.rule == testCase.rule)
}

@Test func gradedScoresFollowTheirFormulas() {
    let near = AnswerJudge.judge("invoce 2041", key: AnswerKey(answer: "invoice 2041", answerType: .anls))
    #expect(abs(near.score - (1 - 1.0 / 12)) < 1e-9)
    let far = AnswerJudge.judge("abc", key: AnswerKey(answer: "invoice 2041", answerType: .anls))
    #expect(far.score == 0)
    let vqa = AnswerJudge.judge("3", key: AnswerKey(answer: "2", answerType: .vqa, answers: ["3", "2", "2"]))
    #expect(abs(vqa.score - 1.0 / 3) < 1e-9 && vqa.verdict == .wrong)
}

@Test func extractionNamesItsRule() {
    #expect(AnswerExtractor.extract("x\n### Answer: 4").rule == .marker)
    #expect(AnswerExtractor.extract("Answer: 4").rule == .answerColon)
    #expect(AnswerExtractor.extract("I think the answer is 4").rule == .answerIs)
    #expect(AnswerExtractor.extract("4").rule == .wholeShort)
    #expect(AnswerExtractor.extract("one two three four five six seven").rule == .none)
}
