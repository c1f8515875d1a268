import Imaging
import Model
import Tokenization

/// Shared test material: a small trained tokenizer, its chat template and solid-colour images.
enum Fixtures {
    /// Colour names and their pixels.
    static let colours: [(name: String, rgb: (UInt8, UInt8, UInt8))] = [
        ("red", (220, 20, 20)), ("green", (20, 200, 40)), ("blue", (30, 40, 220)), ("yellow", (230, 220, 30)),
    ]

    /// A byte-level BPE tokenizer trained on the test vocabulary.
    static let tokenizer: Tokenizer = {
        let corpus = colours.map { "What colour is the image? \($0.name)" } + ["What colour is this picture?"]
        return try! Tokenizer.train(corpus: corpus, vocabularySize: 300, minPairCount: 1)
    }()

    /// The chat template over `tokenizer`.
    static let template: ChatTemplate = try! ChatTemplate(tokenizer: tokenizer)

    /// An 8x8 solid image.
    static func image(_ rgb: (UInt8, UInt8, UInt8), size: Int = 8) -> RGBImage {
        RGBImage(width: size, height: size, fill: rgb)
    }

    /// The question turn with its image marker.
    static let question = "\(Conversation.imageMarker)\nWhat colour is the image?"

    /// A training example: the question about a solid image and its colour name as the answer.
    static func example(_ colour: (name: String, rgb: (UInt8, UInt8, UInt8))) throws -> VLMExample {
        let conversation = Conversation(turns: [ChatTurn(role: .user, text: question),
                                                ChatTurn(role: .assistant, text: colour.name)])
        return try VLMExample(image: image(colour.rgb), encoded: template.encode(conversation))
    }

    /// The generation prompt of the question.
    static func prompt() throws -> EncodedConversation {
        try template.encodeForGeneration(Conversation(turns: [ChatTurn(role: .user, text: question)]))
    }

    /// The tiny config sized to the tokenizer.
    static var tinyConfig: VLMConfig { .tiny(vocabSize: tokenizer.vocabularySize) }
}
