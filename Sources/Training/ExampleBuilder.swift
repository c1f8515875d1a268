import Foundation
import Imaging
import Model
import ReasonerData
import Tokenization

/// Turns LLaVA rows into the student's training examples: the human turns become user turns (the `<image>` marker
/// where the row has it), the gpt turns assistant turns, the loss on the assistant's tokens only. Text-only rows
/// (drills) get a black image: the student always has an image prefix, and learns that a blank one carries nothing.
///
/// Rows that cannot be used — an image that does not decode, a conversation the template refuses, more tokens than
/// the context holds — are skipped and reported with their reason, never silently dropped.
public struct ExampleBuilder {
    /// The template the rows are encoded with.
    public let template: ChatTemplate
    /// Image size and context of the student.
    public let config: VLMConfig
    /// Images decoded so far, by path.
    private var images: [String: RGBImage] = [:]

    /// A builder for a student with `config` and `template`.
    public init(template: ChatTemplate, config: VLMConfig) {
        self.template = template
        self.config = config
    }

    /// The conversation of a row.
    public static func conversation(_ row: ConversationRow) -> Conversation {
        Conversation(turns: row.conversations.map {
            ChatTurn(role: $0.from == "gpt" ? .assistant : .user, text: $0.value)
        })
    }

    /// The example of `row`, whose image path is relative to `imageRoot`.
    public mutating func example(_ row: ConversationRow, imageRoot: String) throws -> VLMExample {
        let image: RGBImage
        if let path = row.image {
            let full = path.hasPrefix("/") ? path : imageRoot + "/" + path
            if let cached = images[full] {
                image = cached
            } else {
                image = try ImageFile.read(path: full)
                images[full] = image
            }
        } else {
            image = RGBImage(width: config.imageSize, height: config.imageSize, fill: (0, 0, 0))
        }
        var conversation = Self.conversation(row)
        if row.image == nil {  // the student always sees an image: put its marker before the first user text
            conversation.turns[0].text = Conversation.imageMarker + "\n" + conversation.turns[0].text
        }
        let example = try VLMExample(image: image, encoded: try template.encode(conversation))
        guard example.tokens.count + config.patchesPerImage <= config.contextLength else {
            throw TrainingError.tooLong(row.id, tokens: example.tokens.count, context: config.contextLength)
        }
        return example
    }

    /// The examples of every row of `rows`, each repeated `repeats` times; unusable rows go to `problems`.
    public mutating func examples(_ rows: [ConversationRow], imageRoot: String, repeats: Int = 1,
                                  problems: inout [RowProblem]) -> [VLMExample] {
        var out: [VLMExample] = []
        for row in rows {
            do {
                let example = try example(row, imageRoot: imageRoot)
                out += Array(repeating: example, count: repeats)
            } catch {
                problems.append(RowProblem(file: row.id, line: 0, reason: "\(error)"))
            }
        }
        return out
    }
}

/// What stops a training run.
public enum TrainingError: Error, Equatable, CustomStringConvertible {
    /// A row needs more tokens than the student's context.
    case tooLong(String, tokens: Int, context: Int)
    /// Nothing to train on.
    case noExamples(String)
    /// Settings that cannot work.
    case invalid(String)

    public var description: String {
        switch self {
        case .tooLong(let id, let tokens, let context):
            "row \(id) has \(tokens) text tokens, more than the context of \(context) holds with the image; "
                + "raise context_length or shorten the row"
        case .noExamples(let reason): "nothing to train on: \(reason)"
        case .invalid(let reason): reason
        }
    }
}
