import Imaging
import Model
import Tokenization

/// Builds scoring examples — an image, a user prompt and an assistant response whose tokens alone are masked in —
/// the input of `StudentVLM.sequenceLogProbs` / `responseLogProbs` for DPO and the verifier.
public struct ScoredResponses: Sendable {
    /// The template prompts are encoded with.
    public let template: ChatTemplate
    /// Words kept from each response (nil: all), the paper's truncation (90 words).
    public let maxWords: Int?

    /// A builder.
    public init(template: ChatTemplate, maxWords: Int?) {
        self.template = template
        self.maxWords = maxWords
    }

    /// The first `maxWords` whitespace-separated words of `text`, with the original spacing kept between them, and
    /// whether anything was cut.
    public static func truncate(_ text: String, maxWords: Int?) -> (text: String, truncated: Bool) {
        guard let maxWords else { return (text, false) }
        var words = 0
        var inWord = false
        for index in text.indices {
            let space = text[index].isWhitespace
            if !space && !inWord {
                if words == maxWords { return (String(text[..<index]).trimmingTrailingWhitespace(), true) }
                words += 1
            }
            inWord = !space
        }
        return (text, false)
    }

    /// The example scoring `response` after the user turn `prompt` (which holds the `<image>` marker). A response
    /// that was cut gets no end-of-turn token (it is not a finished answer); an uncut one ends with `<|end|>`, as
    /// the model was trained to.
    public func example(image: RGBImage, prompt: String, response: String) throws -> VLMExample {
        let encodedPrompt = try template.encodeForGeneration(Conversation(turns: [ChatTurn(role: .user, text: prompt)]))
        let (text, truncated) = Self.truncate(response, maxWords: maxWords)
        var tokens = template.tokenizer.encode(text)
        if !truncated { tokens.append(template.endOfTurnID) }
        return try VLMExample(image: image, prompt: encodedPrompt, response: tokens)
    }
}

extension String {
    /// The string without trailing whitespace.
    func trimmingTrailingWhitespace() -> String {
        var end = endIndex
        while end > startIndex, self[index(before: end)].isWhitespace { end = index(before: end) }
        return String(self[..<end])
    }
}
