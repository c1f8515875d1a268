/// One question of any dataset — a real benchmark (ChartQA, DocVQA, A-OKVQA, ...) or the synthetic suite — with what
/// a prompt, a judge and a report need, and nothing that only the synthetic generator knows (no scene, no solution).
///
/// `SuiteItem` stays the synthetic suite's own type (its scene and solution feed the offline teacher and the chain
/// checker); this is the format real data is imported into, and `init(_: SuiteItem)` writes the suite in it too, so
/// one reader, one prompt and one judge serve both. Keys are snake_case:
///
///     {"id": "chartqa-val-17", "image": "images/chartqa/17.png", "question": "What is the peak value?",
///      "answer": "42", "answer_type": "number", "benchmark": "chartqa", "split": "validation"}
public struct DatasetItem: Codable, Sendable, Equatable {
    /// Stable id, unique within its dataset.
    public var id: String
    /// The image path relative to the dataset's root folder (inside the artifacts volume).
    public var image: String
    /// The question, without options or prompt suffix (the prompt adds the options of a multiple-choice item).
    public var question: String
    /// The reference short answer; for multiple choice the letter, `B. 4`, or the option text.
    public var answer: String
    /// Every annotator's answer, when the benchmark has several (VQA accuracy counts matches among them; ANLS takes
    /// the best match). Nil when there is only `answer`.
    public var answers: [String]?
    /// How a response is scored.
    public var answerType: AnswerType
    /// The options of a multiple-choice item, in letter order (A, B, ...); nil otherwise.
    public var choices: [String]?
    /// The benchmark it comes from (`chartqa`, `docvqa`, or a suite family), for per-benchmark reports.
    public var benchmark: String?
    /// The split it belongs to as the source names it (`train`, `validation`, `test`, `testdev`, ...).
    public var split: String?

    private enum CodingKeys: String, CodingKey {
        case id, image, question, answer, answers, answerType = "answer_type", choices, benchmark, split
    }

    /// Creates an item.
    public init(id: String, image: String, question: String, answer: String, answers: [String]? = nil,
                answerType: AnswerType, choices: [String]? = nil, benchmark: String? = nil, split: String? = nil) {
        self.id = id
        self.image = image
        self.question = question
        self.answer = answer
        self.answers = answers
        self.answerType = answerType
        self.choices = choices
        self.benchmark = benchmark
        self.split = split
    }

    /// A suite item in the general format: its family is the benchmark, its split the split; scene, query and
    /// solution are left behind (they only matter to the offline teacher and the chain checker).
    public init(_ item: SuiteItem) {
        self.init(id: item.id, image: item.image, question: item.question, answer: item.answer,
                  answerType: item.answerType, choices: item.choices, benchmark: item.family.rawValue,
                  split: item.split.rawValue)
    }

    /// The reference the judge compares responses with.
    public var key: AnswerKey { AnswerKey(answer: answer, answerType: answerType, choices: choices, answers: answers) }

    /// The student's prompt for this item in `mode` (question, options, the mode's suffix), without the image
    /// marker — the same text `StudentPrompt` gives a suite item.
    public func prompt(_ mode: PromptMode) -> String {
        StudentPrompt.text(question: question, choices: choices, mode: mode)
    }

    /// The judge's full decision on a response (a chain ending in `### Answer: X`, or a direct answer).
    public func judge(_ response: String) -> Judgement {
        AnswerJudge.judge(response, key: key)
    }

    /// The response's score in [0, 1]: the ANLS or VQA accuracy for those answer types, otherwise 1 when correct
    /// and 0 when wrong or unscorable.
    public func score(_ response: String) -> Double {
        judge(response).score
    }
}

extension DatasetItem: DatasetRow {
    /// The image path.
    public var imagePath: String? { image }

    /// Why the item cannot be asked or judged: a blank question or answer, or a multiple-choice item whose options
    /// are missing, too many for the letters, or do not contain its answer.
    public var problem: String? {
        if id.allSatisfy(\.isWhitespace) { return "empty id" }
        if question.allSatisfy(\.isWhitespace) { return "empty question" }
        if answer.allSatisfy(\.isWhitespace) { return "empty answer" }
        if image.allSatisfy(\.isWhitespace) { return "empty image path" }
        if let answers, answers.contains(where: { $0.allSatisfy(\.isWhitespace) }) {
            return "a blank entry in answers; drop it or fill it in"
        }
        guard answerType == .multipleChoice else { return nil }
        guard let choices, choices.count >= 2 else {
            return "a multiple_choice item needs at least two choices (give them in \"choices\")"
        }
        guard choices.count <= AnswerFormat.letters.count else {
            return "\(choices.count) choices, but options are lettered A-\(AnswerFormat.letters.last!) "
                + "(at most \(AnswerFormat.letters.count))"
        }
        guard ChoiceMatcher.letter(of: answer, choices: choices) != nil else {
            return "the answer \"\(answer)\" is neither an option letter nor one of the choices"
        }
        return nil
    }
}
