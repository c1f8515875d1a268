import ReasonerData

/// Row shapes of the trainers people use on GPUs, made from this project's rows. Only the shapes live here; which
/// file they go to is `DatasetExporter`'s business.
///
/// TRL (conversational vision format): every message's `content` is a list of parts, `{"type": "image"}` where the
/// image goes and `{"type": "text", "text": ...}`; the images themselves are in the row's `images` list.
/// LLaMA-Factory (sharegpt format): `{"from", "value"}` turns with the `<image>` marker in the text, and `images`.
enum TrainerRows {
    /// A TRL content part.
    struct Part: Encodable, Equatable {
        var type: String
        var text: String?

        static let image = Part(type: "image", text: nil)
        static func text(_ text: String) -> Part { Part(type: "text", text: text) }

        /// Writes `text` only for text parts (`{"type": "image"}` has no other key).
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(type, forKey: .type)
            try c.encodeIfPresent(text, forKey: .text)
        }

        private enum Keys: String, CodingKey { case type, text }
    }

    /// A TRL message.
    struct Message: Encodable, Equatable {
        var role: String
        var content: [Part]
    }

    /// TRL SFT: `{"messages", "images"}`.
    struct TRLConversation: Encodable {
        var messages: [Message]
        var images: [String]
    }

    /// TRL DPO with an explicit prompt: `{"prompt", "chosen", "rejected", "images"}`.
    struct TRLPreference: Encodable {
        var prompt: [Message]
        var chosen: [Message]
        var rejected: [Message]
        var images: [String]
    }

    /// A sharegpt turn.
    struct Turn: Encodable, Equatable {
        var from: String
        var value: String
    }

    /// LLaMA-Factory SFT: `{"conversations", "images"}`.
    struct ShareGPTConversation: Encodable {
        var conversations: [Turn]
        var images: [String]
    }

    /// LLaMA-Factory DPO: the prompt turns, then one `chosen` and one `rejected` turn, and `images`.
    struct ShareGPTPreference: Encodable {
        var conversations: [Turn]
        var chosen: Turn
        var rejected: Turn
        var images: [String]
    }

    /// The TRL role of a LLaVA speaker.
    static func role(_ from: String) -> String {
        switch from {
        case "human": "user"
        case "gpt": "assistant"
        default: from
        }
    }

    /// Text with `<image>` markers as TRL parts: an image part where each marker was, the text around it without
    /// the line break that separates it from the marker, and no empty text parts.
    static func parts(_ text: String) -> [Part] {
        let segments = text.components(separatedBy: ImageMarkers.marker)
        var parts: [Part] = []
        for (index, segment) in segments.enumerated() {
            if index > 0 { parts.append(.image) }
            var piece = Substring(segment)
            if index > 0, piece.hasPrefix("\n") { piece = piece.dropFirst() }
            if index < segments.count - 1, piece.hasSuffix("\n") { piece = piece.dropLast() }
            if !piece.isEmpty { parts.append(.text(String(piece))) }
        }
        return parts
    }

    /// A question as the prompt of a row with an image: the marker kept where it is, or put in front when the
    /// question has none (the paper's rows may leave it out; trainers need exactly one).
    static func markedQuestion(_ question: String, hasImage: Bool) -> String {
        hasImage && ImageMarkers.count(question) == 0 ? ImageMarkers.marker + "\n" + question : question
    }

    static func trl(_ row: SFTRow, image: String?) -> TRLConversation {
        TRLConversation(messages: row.conversations.map { Message(role: role($0.from), content: parts($0.value)) },
                        images: image.map { [$0] } ?? [])
    }

    static func trl(_ row: PreferenceRow, image: String?) -> TRLPreference {
        let question = markedQuestion(row.question, hasImage: image != nil)
        return TRLPreference(prompt: [Message(role: "user", content: parts(question))],
                             chosen: [Message(role: "assistant", content: [.text(row.chosen)])],
                             rejected: [Message(role: "assistant", content: [.text(row.rejected)])],
                             images: image.map { [$0] } ?? [])
    }

    static func shareGPT(_ row: SFTRow, image: String?) -> ShareGPTConversation {
        ShareGPTConversation(conversations: row.conversations.map { Turn(from: $0.from, value: $0.value) },
                             images: image.map { [$0] } ?? [])
    }

    static func shareGPT(_ row: PreferenceRow, image: String?) -> ShareGPTPreference {
        ShareGPTPreference(
            conversations: [Turn(from: "human", value: markedQuestion(row.question, hasImage: image != nil))],
            chosen: Turn(from: "gpt", value: row.chosen), rejected: Turn(from: "gpt", value: row.rejected),
            images: image.map { [$0] } ?? [])
    }
}
