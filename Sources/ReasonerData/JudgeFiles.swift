/// A row to judge: `{id, prediction, answer, answer_type, choices?, answers?}`.
public struct PredictionRow: Codable, Sendable, Equatable {
    /// The question id.
    public var id: String
    /// The model's full response.
    public var prediction: String
    /// The reference answer.
    public var answer: String
    /// How to score it.
    public var answerType: AnswerType
    /// Multiple-choice options.
    public var choices: [String]?
    /// Annotator answers (VQA accuracy).
    public var answers: [String]?

    private enum CodingKeys: String, CodingKey {
        case id, prediction, answer, answerType = "answer_type", choices, answers
    }

    /// Creates a row.
    public init(id: String, prediction: String, answer: String, answerType: AnswerType, choices: [String]? = nil,
                answers: [String]? = nil) {
        self.id = id
        self.prediction = prediction
        self.answer = answer
        self.answerType = answerType
        self.choices = choices
        self.answers = answers
    }

    /// The reference as an answer key.
    public var key: AnswerKey { AnswerKey(answer: answer, answerType: answerType, choices: choices, answers: answers) }
}

extension PredictionRow: DatasetRow {
    /// Prediction rows carry no image.
    public var imagePath: String? { nil }

    /// The reference answer must not be empty (an empty prediction is fine: it is judged unscorable).
    public var problem: String? {
        answer.allSatisfy(\.isWhitespace) ? "empty answer (the reference answer is blank)" : nil
    }
}

/// The verdict written for a row: `{id, extracted, verdict, rule, extraction, score}`.
public struct VerdictRow: Codable, Sendable, Equatable {
    /// The question id.
    public var id: String
    /// The extracted answer, null when none.
    public var extracted: String?
    /// Correct, wrong or unscorable.
    public var verdict: Verdict
    /// The scoring rule that decided.
    public var rule: JudgeRule
    /// How the answer was found.
    public var extraction: ExtractionRule
    /// 1/0, or the graded ANLS / VQA score.
    public var score: Double

    /// The verdict of a judged row.
    public init(id: String, judgement: Judgement) {
        self.id = id
        extracted = judgement.extracted
        verdict = judgement.verdict
        rule = judgement.rule
        extraction = judgement.extraction
        score = judgement.score
    }

    private enum CodingKeys: String, CodingKey {
        case id, extracted, verdict, rule, extraction, score
    }

    /// Writes `extracted` as null rather than leaving it out, so every row has the same keys.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(extracted, forKey: .extracted)
        try container.encode(verdict, forKey: .verdict)
        try container.encode(rule, forKey: .rule)
        try container.encode(extraction, forKey: .extraction)
        try container.encode(score, forKey: .score)
    }
}

/// The outcome of judging a file.
public struct JudgeSummary: Sendable {
    /// Rows judged.
    public var judged = 0
    /// Verdict counts.
    public var correct = 0, wrong = 0, unscorable = 0
    /// Rows skipped, with file:line and reason.
    public var problems: [RowProblem] = []
}

/// Judging a predictions file into a verdicts file.
public enum JudgeFiles {
    /// Reads `{id, prediction, answer, answer_type, choices?}` rows (JSONL or JSON), writes one verdict per usable
    /// row as JSONL, and reports skipped rows.
    public static func judge(input: String, output: String) throws -> JudgeSummary {
        let batch = try RowFiles.read(PredictionRow.self, path: input)
        var summary = JudgeSummary(problems: batch.problems)
        let verdicts = batch.rows.map { row -> VerdictRow in
            let judgement = AnswerJudge.judge(row.prediction, key: row.key)
            switch judgement.verdict {
            case .correct: summary.correct += 1
            case .wrong: summary.wrong += 1
            case .unscorable: summary.unscorable += 1
            }
            return VerdictRow(id: row.id, judgement: judgement)
        }
        summary.judged = verdicts.count
        try RowFiles.writeJSONL(verdicts, path: output)
        return summary
    }
}
