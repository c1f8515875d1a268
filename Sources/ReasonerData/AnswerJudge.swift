/// The three outcomes of judging. There is no fourth: an answer that cannot be read is never guessed.
public enum Verdict: String, Codable, Sendable {
    /// The extracted answer matches the reference under the answer type's rule.
    case correct
    /// An answer was extracted and it does not match.
    case wrong
    /// No answer could be read (or, for multiple choice, mapped to an option); never replaced by a guess.
    case unscorable
}

/// The rule that decided a verdict.
public enum JudgeRule: String, Codable, Sendable {
    /// Numbers within 5% relative error (exactly equal when the reference is 0).
    case relaxed
    /// Equal after normalisation.
    case exact
    /// A number was expected and none was given.
    case notANumber = "not-a-number"
    /// Words differ after normalisation.
    case mismatch
    /// A multiple-choice letter was compared.
    case letter
    /// A multiple-choice answer matched an option's text.
    case optionText = "option-text"
    /// A multiple-choice answer was neither a letter nor an option's text.
    case noOption = "no-option"
    /// ANLS with threshold 0.5.
    case anls
    /// VQA accuracy min(1, matches/3).
    case vqa
    /// No answer could be extracted.
    case noAnswer = "no-answer"
}

/// The judge's decision on one response.
public struct Judgement: Sendable, Equatable {
    /// The answer found, nil when none.
    public var extracted: String?
    /// Correct, wrong or unscorable.
    public var verdict: Verdict
    /// The rule that decided.
    public var rule: JudgeRule
    /// How the answer was found.
    public var extraction: ExtractionRule
    /// 1 or 0, or the graded ANLS / VQA score.
    public var score: Double
}

/// The reference a response is judged against.
public struct AnswerKey: Codable, Sendable, Equatable {
    /// The annotated answer (`B. 4`, `B` or the option text for multiple choice).
    public var answer: String
    /// How to score.
    public var answerType: AnswerType
    /// The options of a multiple-choice question, in letter order.
    public var choices: [String]?
    /// Every annotator's answer, for VQA accuracy (and extra references for ANLS).
    public var answers: [String]?

    /// Creates a key.
    public init(answer: String, answerType: AnswerType, choices: [String]? = nil, answers: [String]? = nil) {
        self.answer = answer
        self.answerType = answerType
        self.choices = choices
        self.answers = answers
    }

    /// The key of a suite item.
    public init(_ item: SuiteItem) {
        self.init(answer: item.answer, answerType: item.answerType, choices: item.choices)
    }
}

/// Scores responses against references: extraction first, then the answer type's rule.
public enum AnswerJudge {
    /// Relaxed accuracy's tolerance.
    public static let relativeTolerance = 0.05
    /// ANLS's threshold.
    public static let anlsThreshold = 0.5

    /// Judges a full response (a chain or a direct answer).
    public static func judge(_ response: String, key: AnswerKey) -> Judgement {
        let extraction = AnswerExtractor.extract(response)
        guard let text = extraction.text else {
            return Judgement(extracted: nil, verdict: .unscorable, rule: .noAnswer, extraction: extraction.rule,
                             score: 0)
        }
        var judgement = score(text, key: key)
        judgement.extraction = extraction.rule
        return judgement
    }

    /// Whether a response is correct (unscorable counts as not correct).
    public static func isCorrect(_ response: String, key: AnswerKey) -> Bool {
        judge(response, key: key).verdict == .correct
    }

    /// Scores an already extracted answer.
    public static func score(_ answer: String, key: AnswerKey) -> Judgement {
        func binary(_ ok: Bool, _ rule: JudgeRule) -> Judgement {
            Judgement(extracted: answer, verdict: ok ? .correct : .wrong, rule: rule, extraction: .wholeShort,
                      score: ok ? 1 : 0)
        }
        switch key.answerType {
        case .number:
            // Numbers compare as numbers (so "-3" never equals "3"); a reference that is no number compares as words.
            guard let reference = AnswerNormaliser.number(key.answer) else {
                let same = AnswerNormaliser.words(answer) == AnswerNormaliser.words(key.answer)
                return binary(same, same ? .exact : .mismatch)
            }
            // "7 - 3 = 4" as an answer line: the result is after the last "=".
            let result = answer.split(separator: "=").last.map(String.init) ?? answer
            guard let value = AnswerNormaliser.number(result) else { return binary(false, .notANumber) }
            let ok = reference == 0 ? value == 0 : abs(value - reference) <= relativeTolerance * abs(reference)
            return binary(ok, .relaxed)
        case .word:
            return binary(AnswerNormaliser.words(answer) == AnswerNormaliser.words(key.answer),
                          AnswerNormaliser.words(answer) == AnswerNormaliser.words(key.answer) ? .exact : .mismatch)
        case .multipleChoice:
            let choices = key.choices ?? []
            guard let reference = ChoiceMatcher.letter(of: key.answer, choices: choices) else {
                return binary(false, .noOption)
            }
            if let letter = ChoiceMatcher.explicitLetter(answer, optionCount: choices.count) {
                return binary(letter == reference, .letter)
            }
            if let index = ChoiceMatcher.optionIndex(answer, choices: choices) {
                return binary(index == reference, .optionText)
            }
            return Judgement(extracted: answer, verdict: .unscorable, rule: .noOption, extraction: .wholeShort,
                             score: 0)
        case .anls:
            let prediction = anlsNormal(answer)
            let best = ([key.answer] + (key.answers ?? [])).map { reference -> Double in
                let target = anlsNormal(reference)
                let length = max(prediction.count, target.count)
                guard length > 0 else { return 1 }
                let similarity = 1 - Double(AnswerNormaliser.editDistance(prediction, target)) / Double(length)
                return similarity >= anlsThreshold ? similarity : 0
            }.max() ?? 0
            return Judgement(extracted: answer, verdict: best >= anlsThreshold ? .correct : .wrong, rule: .anls,
                             extraction: .wholeShort, score: best)
        case .vqa:
            let prediction = vqaNormal(answer)
            let score: Double
            if let answers = key.answers, !answers.isEmpty {
                let matches = answers.filter { vqaNormal($0) == prediction }.count
                score = min(1, Double(matches) / 3)
            } else {
                score = vqaNormal(key.answer) == prediction ? 1 : 0
            }
            return Judgement(extracted: answer, verdict: score >= 0.5 ? .correct : .wrong, rule: .vqa,
                             extraction: .wholeShort, score: score)
        }
    }

    private static func anlsNormal(_ text: String) -> String {
        text.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }

    /// VQA normalisation: words, with number words as digits.
    private static func vqaNormal(_ text: String) -> String {
        let normal = AnswerNormaliser.words(text)
        if !normal.contains(" "), let value = AnswerNormaliser.number(normal), value == value.rounded() {
            return String(Int(value))
        }
        return normal
    }
}

/// Reading multiple-choice answers.
public enum ChoiceMatcher {
    /// The option index a reference names: a leading letter ("B", "B. 4", "(B)"), else its option text.
    public static func letter(of reference: String, choices: [String]) -> Int? {
        explicitLetter(reference, optionCount: choices.count) ?? optionIndex(reference, choices: choices)
    }

    /// The option index of a leading capital letter followed by nothing, punctuation or a space ("B", "B.", "(B)",
    /// "B) 4", "Option B"); a lone lower-case letter counts too. Nil otherwise ("Blue" is not B).
    public static func explicitLetter(_ text: String, optionCount: Int) -> Int? {
        var bytes = Array(text.utf8)[...]
        while let first = bytes.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "(") {
            bytes = bytes.dropFirst()
        }
        let lowered = String(decoding: bytes.prefix(7), as: UTF8.self).lowercased()
        if lowered.hasPrefix("option ") { bytes = bytes.dropFirst(7) }
        guard let first = bytes.first else { return nil }
        let limit = optionCount > 0 ? optionCount : AnswerFormat.letters.count
        let rest = bytes.dropFirst()
        let isLone = rest.allSatisfy { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: ")") || $0 == UInt8(ascii: " ") }
        var index: Int?
        if first >= 65, first < 65 + UInt8(limit) {
            if let next = rest.first {
                let separators: [UInt8] = [UInt8(ascii: "."), UInt8(ascii: ")"), UInt8(ascii: ":"),
                                           UInt8(ascii: " "), UInt8(ascii: ",")]
                if separators.contains(next) { index = Int(first - 65) }
            } else {
                index = Int(first - 65)
            }
        } else if first >= 97, first < 97 + UInt8(limit), isLone {
            index = Int(first - 97)
        }
        return index
    }

    /// The option whose text the answer is (normalised; numbers compared as numbers).
    public static func optionIndex(_ text: String, choices: [String]) -> Int? {
        let normal = AnswerNormaliser.words(text)
        if let i = choices.firstIndex(where: { AnswerNormaliser.words($0) == normal }) { return i }
        if let value = AnswerNormaliser.number(text), normal.split(separator: " ").count == 1 {
            return choices.firstIndex { AnswerNormaliser.number($0) == value }
        }
        return nil
    }
}
