import Foundation
import Imaging
import Model
import Tokenization

/// A chat-completion request checked and turned into what the student runs: the conversation with its one
/// `<image>` marker, the decoded image, and the sampling settings. Every way a request can be wrong is named here,
/// with the field at fault, before the model is touched.
struct CompletionJob {
    /// The conversation, the image part as `<image>` in its user turn (`<image>\nquestion`, the training layout).
    var conversation: Conversation
    /// The decoded image.
    var image: RGBImage
    /// Choices to draw.
    var n: Int
    /// Temperature, top-k and top-p.
    var sampling: SamplingOptions
    /// The sampler's seed: the same seed gives the same choices.
    var seed: UInt64
    /// At most this many new tokens per choice (fewer when the context fills up).
    var maxTokens: Int
    /// Alternatives per token to report, or nil for no log-probabilities.
    var topLogprobs: Int?

    /// Limits of a request.
    static let maxChoices = 64
    static let maxTopLogprobs = 20

    /// Decodes and checks a request body; `modelName` is the served model's id.
    static func parse(_ body: [UInt8], modelName: String) throws(APIError) -> CompletionJob {
        let wire: ChatRequestWire
        do {
            wire = try JSONDecoder().decode(ChatRequestWire.self, from: Data(body))
        } catch {
            throw .invalid("the body is not a chat-completions request: \(Self.describe(error))")
        }
        if let model = wire.model, model != modelName {
            throw .notFound("the model \(model) does not exist; this server serves \(modelName)",
                            code: "model_not_found", param: "model")
        }
        if wire.stream == true { throw .invalid("streaming is not supported; send \"stream\": false", param: "stream") }
        let n = wire.n ?? 1
        guard (1...maxChoices).contains(n) else { throw .invalid("n must be in 1...\(maxChoices), got \(n)", param: "n") }
        let temperature = wire.temperature ?? 1
        guard temperature.isFinite, (0...2).contains(temperature) else {
            throw .invalid("temperature must be in 0...2, got \(temperature)", param: "temperature")
        }
        let topP = wire.topP ?? 1
        guard topP.isFinite, topP > 0, topP <= 1 else {
            throw .invalid("top_p must be in (0, 1], got \(topP)", param: "top_p")
        }
        let topK = wire.topK ?? 0
        guard topK >= 0 else { throw .invalid("top_k must be >= 0 (0: no limit), got \(topK)", param: "top_k") }
        let maxTokens = wire.maxCompletionTokens ?? wire.maxTokens ?? Int.max
        guard maxTokens >= 1 else {
            throw .invalid("max_tokens must be at least 1, got \(maxTokens)",
                           param: wire.maxCompletionTokens == nil ? "max_tokens" : "max_completion_tokens")
        }
        var topLogprobs: Int?
        if wire.logprobs == true {
            topLogprobs = wire.topLogprobs ?? 0
            guard (0...maxTopLogprobs).contains(topLogprobs!) else {
                throw .invalid("top_logprobs must be in 0...\(maxTopLogprobs), got \(topLogprobs!)",
                               param: "top_logprobs")
            }
        } else if wire.topLogprobs != nil {
            throw .invalid("top_logprobs needs \"logprobs\": true", param: "top_logprobs")
        }
        let (conversation, image) = try Self.conversation(wire.messages)
        // No seed: a fresh one, so unseeded requests differ as clients expect.
        let seed = wire.seed.map { UInt64(bitPattern: $0) } ?? UInt64.random(in: .min ... .max)
        return CompletionJob(conversation: conversation, image: image, n: n,
                             sampling: SamplingOptions(temperature: Float(temperature), topK: topK, topP: Float(topP)),
                             seed: seed, maxTokens: maxTokens, topLogprobs: topLogprobs)
    }

    /// The messages as the student's conversation, and the one image they carry.
    private static func conversation(_ messages: [MessageWire]) throws(APIError) -> (Conversation, RGBImage) {
        guard !messages.isEmpty else { throw .invalid("messages is empty; send at least one user message", param: "messages") }
        var turns: [ChatTurn] = [], image: RGBImage?
        for (m, message) in messages.enumerated() {
            let role: ChatRole
            switch message.role {
            case "system", "developer": role = .system
            case "user": role = .user
            case "assistant": role = .assistant
            default:
                throw .invalid("messages[\(m)] has role \(message.role); the student takes system, user and "
                               + "assistant messages", param: "messages[\(m)].role")
            }
            switch message.content {
            case .text(let text):
                guard !text.contains(Conversation.imageMarker) else {
                    throw .invalid("messages[\(m)] contains the text <image>; send the image as an image_url part",
                                   param: "messages[\(m)].content")
                }
                turns.append(ChatTurn(role: role, text: text))
            case .parts(let parts):
                var pieces: [String] = []
                for (p, part) in parts.enumerated() {
                    let param = "messages[\(m)].content[\(p)]"
                    switch part.type {
                    case "text":
                        guard let text = part.text else { throw .invalid("a text part needs \"text\"", param: param) }
                        guard !text.contains(Conversation.imageMarker) else {
                            throw .invalid("a text part contains <image>; send the image as an image_url part",
                                           param: param)
                        }
                        pieces.append(text)
                    case "image_url":
                        guard role == .user else {
                            throw .invalid("only user messages may carry an image", param: param)
                        }
                        guard image == nil else {
                            throw .invalid("a second image; the student reads exactly one image per request",
                                           param: param)
                        }
                        guard let url = part.imageURL?.url else {
                            throw .invalid("an image_url part needs {\"url\": ...}", param: param + ".image_url")
                        }
                        image = try DataURL.image(url, param: param + ".image_url.url")
                        pieces.append(Conversation.imageMarker)
                    default:
                        throw .invalid("content part type \(part.type) is not supported; use text and image_url",
                                       param: param + ".type")
                    }
                }
                turns.append(ChatTurn(role: role, text: pieces.joined(separator: "\n")))
            }
        }
        guard let image else {
            throw .invalid("no image; the student reads exactly one image per request: send it as an image_url part "
                           + "with a data: URL in a user message", param: "messages")
        }
        return (Conversation(turns: turns), image)
    }

    private static func describe(_ error: any Error) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined()
                .trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            let at = path(context)
            return "no \"\(key.stringValue)\"" + (at.isEmpty ? "" : " in \(at)")
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "wrong type at \(path(context))"
        case DecodingError.dataCorrupted(let context):
            return context.debugDescription
        default:
            return "\(error)"
        }
    }
}

/// Images sent inline as `data:image/png;base64,...` (or JPEG). The server fetches nothing from the network.
enum DataURL {
    static func image(_ url: String, param: String) throws(APIError) -> RGBImage {
        guard url.hasPrefix("data:") else {
            throw .invalid("only data: URLs are accepted (data:image/png;base64,...); the server fetches no images",
                           param: param)
        }
        guard let comma = url.firstIndex(of: ","), url[..<comma].hasSuffix(";base64") else {
            throw .invalid("the data: URL must be base64 (data:image/png;base64,...)", param: param)
        }
        guard let bytes = Data(base64Encoded: String(url[url.index(after: comma)...]),
                               options: .ignoreUnknownCharacters) else {
            throw .invalid("the data: URL's base64 does not decode", param: param)
        }
        do {
            return try ImageFile.decode([UInt8](bytes), source: "the image")
        } catch {
            throw .invalid("\(error)", param: param)
        }
    }
}
