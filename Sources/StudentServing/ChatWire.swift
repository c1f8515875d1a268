import Foundation

/// `POST /v1/chat/completions` as OpenAI-compatible clients send it: the fields the student honours. Fields it
/// does not know are ignored (clients send many); fields it knows but cannot honour (`stream: true`) are refused.
struct ChatRequestWire: Decodable {
    var model: String?
    var messages: [MessageWire]
    var n: Int?
    var temperature: Double?
    var topP: Double?
    /// Not OpenAI's, but vLLM's and llama.cpp's: keep the k most likely tokens.
    var topK: Int?
    var seed: Int64?
    var maxTokens: Int?
    var maxCompletionTokens: Int?
    var logprobs: Bool?
    var topLogprobs: Int?
    var stream: Bool?

    enum CodingKeys: String, CodingKey {
        case model, messages, n, temperature, topP = "top_p", topK = "top_k", seed, maxTokens = "max_tokens",
             maxCompletionTokens = "max_completion_tokens", logprobs, topLogprobs = "top_logprobs", stream
    }
}

/// One message: a role and its content, a string or a list of parts.
struct MessageWire: Decodable {
    var role: String
    var content: ContentWire

    enum CodingKeys: String, CodingKey { case role, content }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        role = try c.decode(String.self, forKey: .role)
        if let text = try? c.decode(String.self, forKey: .content) {
            content = .text(text)
        } else {
            content = .parts(try c.decode([PartWire].self, forKey: .content))
        }
    }
}

/// A message's content.
enum ContentWire {
    case text(String)
    case parts([PartWire])
}

/// A content part: `{"type": "text", "text"}` or `{"type": "image_url", "image_url": {"url"}}`.
struct PartWire: Decodable {
    var type: String
    var text: String?
    var imageURL: ImageURLWire?

    enum CodingKeys: String, CodingKey { case type, text, imageURL = "image_url" }

    struct ImageURLWire: Decodable {
        var url: String
    }
}

/// The response of a chat completion, as OpenAI writes it.
struct ChatResponseWire: Encodable {
    var id: String
    var object = "chat.completion"
    var created: Int
    var model: String
    var systemFingerprint: String
    var choices: [ChoiceWire]
    var usage: UsageWire

    enum CodingKeys: String, CodingKey {
        case id, object, created, model, systemFingerprint = "system_fingerprint", choices, usage
    }
}

/// One choice; `logprobs` is written as null when not asked for.
struct ChoiceWire: Encodable {
    var index: Int
    var message: AssistantWire
    var logprobs: LogprobsWire?
    var finishReason: String

    enum CodingKeys: String, CodingKey { case index, message, logprobs, finishReason = "finish_reason" }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(index, forKey: .index)
        try c.encode(message, forKey: .message)
        if let logprobs { try c.encode(logprobs, forKey: .logprobs) } else { try c.encodeNil(forKey: .logprobs) }
        try c.encode(finishReason, forKey: .finishReason)
    }
}

/// The assistant's reply.
struct AssistantWire: Encodable {
    var role = "assistant"
    var content: String
}

/// The log-probabilities of a choice's tokens.
struct LogprobsWire: Encodable {
    var content: [TokenLogprobWire]
}

/// One token: its text, log-probability, UTF-8 bytes (a token may hold part of a character) and the most likely
/// alternatives at its position.
struct TokenLogprobWire: Encodable {
    var token: String
    var logprob: Double
    var bytes: [UInt8]
    var topLogprobs: [TopLogprobWire]

    enum CodingKeys: String, CodingKey { case token, logprob, bytes, topLogprobs = "top_logprobs" }
}

/// An alternative token at a position.
struct TopLogprobWire: Encodable {
    var token: String
    var logprob: Double
    var bytes: [UInt8]
}

/// Token counts.
struct UsageWire: Encodable {
    var promptTokens: Int
    var completionTokens: Int
    var totalTokens: Int

    enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens", completionTokens = "completion_tokens", totalTokens = "total_tokens"
    }
}

/// `GET /v1/models`.
struct ModelListWire: Encodable {
    var object = "list"
    var data: [ModelWire]
}

/// A model entry.
struct ModelWire: Encodable {
    var id: String
    var object = "model"
    var created: Int
    var ownedBy = "reasoner"

    enum CodingKeys: String, CodingKey { case id, object, created, ownedBy = "owned_by" }
}
