/// Who speaks a turn.
public enum ChatRole: String, Sendable, Codable, CaseIterable {
    /// Instructions before the dialogue (optional, first turn only).
    case system
    /// The human: a question, with the `<image>` marker where the image goes.
    case user
    /// The model: the answer it is trained to give.
    case assistant
}

/// One turn of a conversation.
public struct ChatTurn: Sendable, Equatable, Codable {
    /// Who speaks.
    public var role: ChatRole
    /// What is said; in a user turn the text `<image>` (LLaVA's marker, usually `<image>\n` + question) marks the image.
    public var text: String

    /// A turn by `role` saying `text`.
    public init(role: ChatRole, text: String) {
        self.role = role
        self.text = text
    }
}

/// A dialogue: an optional system turn, then user and assistant turns alternating, starting with the user.
public struct Conversation: Sendable, Equatable, Codable {
    /// The turns in order.
    public var turns: [ChatTurn]

    /// A conversation of `turns`.
    public init(turns: [ChatTurn]) {
        self.turns = turns
    }

    /// The LLaVA marker for the image in a user message.
    public static let imageMarker = "<image>"
}

/// A conversation as model input.
public struct EncodedConversation: Sendable, Equatable {
    /// Token ids, special tokens included.
    public var tokens: [Int]
    /// Parallel to `tokens`: true where the loss applies (assistant answers and their end-of-turn token).
    public var lossMask: [Bool]
    /// Indices in `tokens` of the image placeholder token, in order; the model replaces each by the image's
    /// embeddings (one token becomes N positions).
    public var imagePositions: [Int]

    /// An encoded conversation from its parts (the chat template makes these; tests and batching may too).
    public init(tokens: [Int], lossMask: [Bool], imagePositions: [Int]) {
        self.tokens = tokens
        self.lossMask = lossMask
        self.imagePositions = imagePositions
    }

    /// The index of the (first) image placeholder, or nil for a text-only conversation.
    public var imagePosition: Int? { imagePositions.first }
}

/// Why a conversation cannot be rendered.
public enum ChatTemplateError: Error, Equatable, CustomStringConvertible {
    /// The conversation has no user turn.
    case noUserTurn
    /// A system turn appears after the first turn.
    case misplacedSystemTurn(index: Int)
    /// Turn `index` has the wrong role: after the optional system turn, user and assistant must alternate.
    case turnsDoNotAlternate(index: Int, expected: ChatRole)
    /// The `<image>` marker appears in a turn that is not the user's.
    case imageMarkerOutsideUserTurn(index: Int)
    /// A training conversation must end with the assistant's answer (nothing would be learned from a final question).
    case lastTurnNotAssistant
    /// A generation prompt must end with the user's turn (the model writes the assistant's).
    case lastTurnNotUser

    /// What went wrong and what to do about it.
    public var description: String {
        switch self {
        case .noUserTurn:
            "the conversation has no user turn; add the question as a user turn"
        case let .misplacedSystemTurn(index):
            "turn \(index) is a system turn; only the first turn may be a system turn"
        case let .turnsDoNotAlternate(index, expected):
            "turn \(index) should be a \(expected.rawValue) turn; user and assistant turns must alternate, starting with the user"
        case let .imageMarkerOutsideUserTurn(index):
            "turn \(index) contains \(Conversation.imageMarker) but is not a user turn; put the image marker in the user's message"
        case .lastTurnNotAssistant:
            "a training conversation must end with an assistant turn; drop the trailing question or add its answer"
        case .lastTurnNotUser:
            "a generation prompt must end with a user turn; drop the trailing answer"
        }
    }
}
