import Foundation
import ReasonerData

/// A benchmark item as people write them: ids and answers may be numbers, `answers` and `choices` may be JSON
/// arrays, JSON text or `a|b|c`, and `answer_type` may say `relaxed` for `number`. Decodes straight into the general
/// `DatasetItem`; its checks are the item's own.
struct BenchmarkRecord: DatasetRow {
    var item: DatasetItem

    private enum Keys: String, CodingKey {
        case id, image, question, answer, answers, answerType = "answer_type", choices, benchmark, split
    }

    /// The `answer_type` values accepted, and what they mean.
    static let answerTypes: [String: AnswerType] = [
        "number": .number, "relaxed": .number, "word": .word, "multiple_choice": .multipleChoice,
        "anls": .anls, "vqa": .vqa,
    ]

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        let written = try FlexibleValues.text(c, .answerType)
        guard let type = Self.answerTypes[written.trimmingCharacters(in: .whitespaces).lowercased()] else {
            throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: [Keys.answerType],
                debugDescription: "answer_type \"\(written)\" is not one of "
                    + Self.answerTypes.keys.sorted().joined(separator: ", ")))
        }
        item = DatasetItem(id: try FlexibleValues.text(c, .id), image: try FlexibleValues.text(c, .image),
                           question: try FlexibleValues.text(c, .question),
                           answer: try FlexibleValues.text(c, .answer), answers: try FlexibleValues.list(c, .answers),
                           answerType: type, choices: try FlexibleValues.list(c, .choices),
                           benchmark: try FlexibleValues.optionalText(c, .benchmark),
                           split: try FlexibleValues.optionalText(c, .split))
    }

    func encode(to encoder: any Encoder) throws { try item.encode(to: encoder) }

    var imagePath: String? { item.image }
    var problem: String? { item.problem }
}

/// A LLaVA conversation row as the paper's `sft_data` files (`cot.*.jsonl`, `direct.*.jsonl`) and LLaVA's own
/// releases write them; the id may be a number or missing (then the importer names the row by its line).
struct ConversationRecord: DatasetRow {
    var id: String?
    var image: String?
    var conversations: [ConversationTurn]

    private enum Keys: String, CodingKey { case id, image, conversations }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        id = try FlexibleValues.optionalText(c, .id)
        image = try FlexibleValues.optionalText(c, .image)
        conversations = try c.decode([ConversationTurn].self, forKey: .conversations)
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encodeIfPresent(id, forKey: .id)
        try c.encodeIfPresent(image, forKey: .image)
        try c.encode(conversations, forKey: .conversations)
    }

    var imagePath: String? { image }

    /// The row's turns must be usable by a trainer: human first, gpt last with a non-blank answer, known roles, and
    /// exactly one `<image>` marker in a human turn when there is an image (none when there is not).
    var problem: String? {
        if let problem = ConversationRow(id: id ?? "", image: image, conversations: conversations).problem {
            return problem
        }
        if let unknown = conversations.first(where: { !["human", "gpt", "system"].contains($0.from) }) {
            return "a turn from \"\(unknown.from)\"; LLaVA rows use human, gpt or system"
        }
        if let target = conversations.last?.value, case (.cot, nil) = SFTRow.classify(target) {
            return "the target's ### Answer: is empty; write the short answer after it or drop the row"
        }
        return ImageMarkers.problem(turns: conversations, hasImage: image != nil)
    }
}

/// A DPO row in the paper's release format: `{"id"?, "image", "question", "chosen", "rejected"}`.
struct PairRecord: DatasetRow {
    var id: String?
    var image: String?
    var question: String
    var chosen: String
    var rejected: String

    private enum Keys: String, CodingKey { case id, image, question, chosen, rejected }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        id = try FlexibleValues.optionalText(c, .id)
        image = try FlexibleValues.optionalText(c, .image)
        question = try c.decode(String.self, forKey: .question)
        chosen = try c.decode(String.self, forKey: .chosen)
        rejected = try c.decode(String.self, forKey: .rejected)
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encodeIfPresent(id, forKey: .id)
        try c.encodeIfPresent(image, forKey: .image)
        try c.encode(question, forKey: .question)
        try c.encode(chosen, forKey: .chosen)
        try c.encode(rejected, forKey: .rejected)
    }

    var imagePath: String? { image }

    /// The preference row's own checks, and at most one `<image>` marker in the question (none without an image).
    var problem: String? {
        if let problem = PreferenceRow(id: id ?? "", image: image, question: question, chosen: chosen,
                                       rejected: rejected).problem {
            return problem
        }
        let markers = ImageMarkers.count(question)
        if image == nil, markers > 0 { return "the question has an <image> marker but the row has no image" }
        if markers > 1 { return "the question has \(markers) <image> markers; the student reads one image" }
        if ImageMarkers.count(chosen) + ImageMarkers.count(rejected) > 0 {
            return "a response contains an <image> marker; only the question may"
        }
        return nil
    }
}

/// Counting and checking LLaVA's `<image>` marker.
enum ImageMarkers {
    /// LLaVA's marker for where the image goes in a human turn.
    static let marker = "<image>"

    /// How many times the marker occurs in `text`.
    static func count(_ text: String) -> Int {
        text.components(separatedBy: marker).count - 1
    }

    /// Why the turns' markers do not fit the row: with an image, exactly one marker, in a human turn; without one,
    /// none. Nil when they fit.
    static func problem(turns: [ConversationTurn], hasImage: Bool) -> String? {
        let total = turns.reduce(0) { $0 + count($1.value) }
        if turns.contains(where: { $0.from != "human" && count($0.value) > 0 }) {
            return "an <image> marker outside a human turn; put it in front of the first question"
        }
        if hasImage && total == 0 {
            return "the row has an image but no <image> marker; write \"<image>\\n\" in front of the first question"
        }
        if !hasImage && total > 0 { return "an <image> marker but the row has no image" }
        if total > 1 { return "\(total) <image> markers; the student reads one image per row" }
        return nil
    }
}
