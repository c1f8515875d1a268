import Foundation

/// One turn of a LLaVA conversation.
public struct ConversationTurn: Codable, Sendable, Equatable {
    /// `human` or `gpt`.
    public var from: String
    /// The text; the first human turn starts with `<image>\n` when the row has an image.
    public var value: String

    /// Creates a turn.
    public init(from: String, value: String) {
        self.from = from
        self.value = value
    }
}

/// A LLaVA SFT row: `{"id", "image", "conversations": [{"from": "human", ...}, {"from": "gpt", ...}]}`.
public struct ConversationRow: Codable, Sendable, Equatable {
    /// Stable id.
    public var id: String
    /// Image path relative to the dataset root; nil for text-only rows.
    public var image: String?
    /// Alternating human and gpt turns.
    public var conversations: [ConversationTurn]

    /// Creates a row.
    public init(id: String, image: String?, conversations: [ConversationTurn]) {
        self.id = id
        self.image = image
        self.conversations = conversations
    }

    /// A one-exchange row; the prompt gets `<image>\n` in front when there is an image.
    public init(id: String, image: String?, prompt: String, response: String) {
        self.init(id: id, image: image, conversations: [
            ConversationTurn(from: "human", value: image == nil ? prompt : "<image>\n" + prompt),
            ConversationTurn(from: "gpt", value: response),
        ])
    }
}

/// A DPO row as in the paper's release: `{"id", "image", "question", "chosen", "rejected"}`.
public struct PreferenceRow: Codable, Sendable, Equatable {
    /// Stable id.
    public var id: String
    /// Image path relative to the dataset root.
    public var image: String?
    /// The prompt (question with its suffix).
    public var question: String
    /// The preferred (correct) response.
    public var chosen: String
    /// The dispreferred (incorrect) response.
    public var rejected: String

    /// Creates a row.
    public init(id: String, image: String?, question: String, chosen: String, rejected: String) {
        self.id = id
        self.image = image
        self.question = question
        self.chosen = chosen
        self.rejected = rejected
    }
}

/// A row kind the dataset reader can load and check.
public protocol DatasetRow: Codable, Sendable {
    /// The image path, if any.
    var imagePath: String? { get }
    /// Why the row is unusable (other than its image), or nil.
    var problem: String? { get }
}

extension ConversationRow: DatasetRow {
    /// The image path, if any.
    public var imagePath: String? { image }

    /// A row needs a human turn followed by a non-empty gpt answer.
    public var problem: String? {
        guard conversations.count >= 2 else { return "needs a human turn and a gpt turn" }
        guard conversations.first?.from == "human" else { return "the first turn must be from human" }
        guard let last = conversations.last, last.from == "gpt" else { return "the last turn must be from gpt" }
        if last.value.allSatisfy(\.isWhitespace) { return "empty answer (the last gpt turn is blank)" }
        return nil
    }
}

extension PreferenceRow: DatasetRow {
    /// The image path, if any.
    public var imagePath: String? { image }

    /// A row needs a question and two non-empty, different responses.
    public var problem: String? {
        if question.allSatisfy(\.isWhitespace) { return "empty question" }
        if chosen.allSatisfy(\.isWhitespace) { return "empty answer (chosen is blank)" }
        if rejected.allSatisfy(\.isWhitespace) { return "empty answer (rejected is blank)" }
        if chosen == rejected { return "chosen and rejected are the same text" }
        return nil
    }
}

extension SuiteItem: DatasetRow {
    /// The image path.
    public var imagePath: String? { image }

    /// An item needs a question and an answer.
    public var problem: String? {
        if question.allSatisfy(\.isWhitespace) { return "empty question" }
        if answer.allSatisfy(\.isWhitespace) { return "empty answer" }
        return nil
    }
}
