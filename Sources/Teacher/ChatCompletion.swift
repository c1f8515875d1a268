import Foundation

/// An OpenAI-compatible chat-completions request (`POST {base}/chat/completions`), the subset a teacher needs.
public struct ChatCompletionRequest: Codable, Sendable, Equatable {
    /// The model name, e.g. `gpt-4o-2024-05-13`.
    public var model: String
    /// The conversation: a system prompt, then the user turn with the instruction and the image.
    public var messages: [ChatMessage]
    /// Sampling temperature.
    public var temperature: Double
    /// Most tokens to generate.
    public var maxTokens: Int

    enum CodingKeys: String, CodingKey {
        case model, messages, temperature
        case maxTokens = "max_tokens"
    }

    /// Makes a request.
    public init(model: String, messages: [ChatMessage], temperature: Double, maxTokens: Int) {
        self.model = model
        self.messages = messages
        self.temperature = temperature
        self.maxTokens = maxTokens
    }
}

/// One chat message: a role and content parts (text, images as data URLs).
public struct ChatMessage: Codable, Sendable, Equatable {
    /// `system`, `user` or `assistant`.
    public var role: String
    /// The parts of the message.
    public var content: [ContentPart]

    /// Makes a message.
    public init(role: String, content: [ContentPart]) {
        self.role = role
        self.content = content
    }
}

/// A part of a message's content.
public enum ContentPart: Codable, Sendable, Equatable {
    /// Plain text.
    case text(String)
    /// An image, as a URL (for a local image, a `data:image/png;base64,...` URL).
    case imageURL(String)

    private enum CodingKeys: String, CodingKey { case type, text, imageURL = "image_url" }
    private struct ImageURL: Codable { var url: String }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(String.self, forKey: .type) {
        case "text": self = .text(try container.decode(String.self, forKey: .text))
        case "image_url": self = .imageURL(try container.decode(ImageURL.self, forKey: .imageURL).url)
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .type, in: container,
                                                   debugDescription: "unknown content part type '\(other)'")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .text(let text):
            try container.encode("text", forKey: .type)
            try container.encode(text, forKey: .text)
        case .imageURL(let url):
            try container.encode("image_url", forKey: .type)
            try container.encode(ImageURL(url: url), forKey: .imageURL)
        }
    }

    /// A PNG image as a data URL.
    public static func png(_ bytes: [UInt8]) -> ContentPart {
        .imageURL("data:image/png;base64," + Data(bytes).base64EncodedString())
    }
}

/// The parts of a chat-completions response a teacher reads.
public struct ChatCompletionResponse: Codable, Sendable, Equatable {
    /// The generated choices (a teacher asks for one).
    public var choices: [Choice]
    /// Token usage, when the server reports it.
    public var usage: Usage?

    /// One generated answer.
    public struct Choice: Codable, Sendable, Equatable {
        /// The assistant message.
        public var message: AssistantMessage
        /// Why generation stopped (`stop`, `length`...).
        public var finishReason: String?

        enum CodingKeys: String, CodingKey {
            case message
            case finishReason = "finish_reason"
        }
    }

    /// The assistant's reply (text content only).
    public struct AssistantMessage: Codable, Sendable, Equatable {
        /// The text; may be null in the protocol.
        public var content: String?
    }

    /// The text of the first choice, if any.
    public var text: String? { choices.first?.message.content }
}

/// Tokens a call consumed.
public struct Usage: Codable, Sendable, Equatable {
    /// Prompt tokens (images included).
    public var promptTokens: Int
    /// Generated tokens.
    public var completionTokens: Int

    enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
    }

    /// Makes a usage record.
    public init(promptTokens: Int, completionTokens: Int) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
    }
}
