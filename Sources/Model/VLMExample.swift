import Imaging
import Tokenization

/// One image with its conversation tokens, ready for the student. The image is fed as a prefix of patch embeddings
/// before the text (what `DecoderLM` supports), so the chat template's single `<|image|>` placeholder is dropped
/// from `tokens` here — the one place that happens — and the image stands at the start of the sequence instead.
public struct VLMExample: Sendable, Equatable {
    /// The image.
    public var image: RGBImage
    /// Text token ids without the image placeholder.
    public var tokens: [Int]
    /// Which tokens are trained (same length as `tokens`).
    public var lossMask: [Bool]

    /// An example from already placeholder-free tokens and mask.
    public init(image: RGBImage, tokens: [Int], lossMask: [Bool]) {
        precondition(tokens.count == lossMask.count, "tokens and lossMask must have the same length")
        self.image = image
        self.tokens = tokens
        self.lossMask = lossMask
    }

    /// An example from a chat-template encoding holding exactly one `<|image|>` placeholder, which is removed.
    public init(image: RGBImage, encoded: EncodedConversation) throws(ModelError) {
        guard encoded.imagePositions.count == 1, let position = encoded.imagePosition else {
            throw .invalidInput("the conversation has \(encoded.imagePositions.count) <image> markers; the student "
                                + "takes exactly one image, so put one <image> in the first user turn")
        }
        var tokens = encoded.tokens, mask = encoded.lossMask
        tokens.remove(at: position)
        mask.remove(at: position)
        self.init(image: image, tokens: tokens, lossMask: mask)
    }

    /// A scoring example: `prompt` (a generation encoding with one placeholder) followed by `response`, where only
    /// the response tokens are masked in — the layout of `StudentVLM.sequenceLogProbs`.
    public init(image: RGBImage, prompt: EncodedConversation, response: [Int]) throws(ModelError) {
        var encoded = prompt
        encoded.tokens += response
        encoded.lossMask = [Bool](repeating: false, count: prompt.tokens.count)
            + [Bool](repeating: true, count: response.count)
        try self.init(image: image, encoded: encoded)
    }
}
