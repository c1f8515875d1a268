/// One question of the synthetic suite, with everything a judge or the offline teacher needs and no pixels.
public struct SuiteItem: Codable, Sendable, Equatable {
    /// Stable id, `<family>-<split or set>-<scene index>[-<question index>]`.
    public var id: String
    /// The image path relative to the suite's root (`images/<scene id>.png`).
    public var image: String
    /// The question, without options or prompt suffix.
    public var question: String
    /// The annotated short answer; for multiple choice `B. 4`.
    public var answer: String
    /// How the answer is scored.
    public var answerType: AnswerType
    /// The benchmark family.
    public var family: Family
    /// The options of a multiple-choice question, in letter order.
    public var choices: [String]?
    /// The split the item's scene belongs to (format-set items are training data).
    public var split: Split
    /// The difficulty it was drawn at.
    public var difficulty: Difficulty
    /// What the image shows.
    public var scene: Scene
    /// What the question asks, in structured form.
    public var query: Query
    /// The worked solution: readings, steps and the final value (its intermediates are checkable).
    public var solution: Solution

    private enum CodingKeys: String, CodingKey {
        case id, image, question, answer, answerType = "answer_type", family, choices, split, difficulty, scene,
             query, solution
    }

    /// Creates an item.
    public init(id: String, image: String, question: String, answer: String, answerType: AnswerType,
                family: Family, choices: [String]?, split: Split, difficulty: Difficulty, scene: Scene,
                query: Query, solution: Solution) {
        self.id = id
        self.image = image
        self.question = question
        self.answer = answer
        self.answerType = answerType
        self.family = family
        self.choices = choices
        self.split = split
        self.difficulty = difficulty
        self.scene = scene
        self.query = query
        self.solution = solution
    }
}

/// Writing answers in the paper's formats.
public enum AnswerFormat {
    /// Option letters in order.
    public static let letters: [String] = ["A", "B", "C", "D", "E", "F", "G", "H"]

    /// `B. 4` for option index 1 of choices `["3", "4", ...]`.
    public static func choice(index: Int, choices: [String]) -> String {
        "\(letters[index]). \(choices[index])"
    }

    /// The options as prompt lines: "A. 3\nB. 4\n...".
    public static func optionLines(_ choices: [String]) -> String {
        choices.indices.map { choice(index: $0, choices: choices) }.joined(separator: "\n")
    }

    /// The answer for a final value: itself, or for multiple choice the option that holds it (nil if none does).
    public static func answer(final: String, choices: [String]?) -> String? {
        guard let choices else { return final }
        return choices.firstIndex(of: final).map { choice(index: $0, choices: choices) }
    }
}
