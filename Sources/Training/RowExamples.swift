import Foundation
import Imaging
import Model
import ReasonerData
import Tokenization

/// One training example and where it came from.
public struct SourcedExample: Sendable, Equatable {
    /// The row's id.
    public var id: String
    /// The source it was read from (a mix source's name, e.g. `format`, `cot`).
    public var source: String
    /// The model input.
    public var example: VLMExample

    /// The tokens its loss trains on.
    public var trainedTokens: Int { example.lossMask.reduce(0) { $0 + ($1 ? 1 : 0) } }

    /// An example.
    public init(id: String, source: String, example: VLMExample) {
        self.id = id
        self.source = source
        self.example = example
    }
}

/// LLaVA conversation rows (and the images beside them) turned into the student's examples.
///
/// Text-only rows (`image` nil, the suite's drills) get a blank mid-grey image — the preprocessor's padding
/// colour, which normalises to zero — and an `<image>` marker in front of their first human turn, so every example
/// has the same layout (image prefix, then text) and the drills teach the text a rationale continues with, in the
/// same positions. Rows whose image cannot be read, whose turns do not alternate, or whose tokens exceed the
/// model's text context are skipped and reported with their reason, never dropped silently.
public struct RowExamples: Sendable {
    /// The chat template (and tokenizer) rows are encoded with.
    public let template: ChatTemplate
    /// Text positions the model has after its image prefix; longer rows are skipped.
    public let textContext: Int
    /// Side of the blank image given to text-only rows.
    public let blankImageSide: Int

    /// A converter for a model with `config` and the template of its tokenizer.
    public init(template: ChatTemplate, config: VLMConfig) {
        self.template = template
        textContext = config.textContext
        blankImageSide = config.imageSize
    }

    /// The blank image of text-only rows.
    public var blankImage: RGBImage { RGBImage(width: blankImageSide, height: blankImageSide, fill: (128, 128, 128)) }

    /// The chat conversation of a LLaVA row (`human` → user, `gpt` → assistant, `system` → system); a text-only
    /// row gets the `<image>` marker of its blank image.
    public static func conversation(_ row: ConversationRow) throws(TrainingError) -> Conversation {
        var turns: [ChatTurn] = []
        for turn in row.conversations {
            let role: ChatRole
            switch turn.from {
            case "human", "user": role = .user
            case "gpt", "assistant": role = .assistant
            case "system": role = .system
            default: throw .noUsableData("turn from \"\(turn.from)\"; use human, gpt or system")
            }
            turns.append(ChatTurn(role: role, text: turn.value))
        }
        if row.image == nil, let first = turns.firstIndex(where: { $0.role == .user }),
           !turns[first].text.contains(Conversation.imageMarker) {
            turns[first].text = Conversation.imageMarker + "\n" + turns[first].text
        }
        return Conversation(turns: turns)
    }

    /// Reads a rows file (`.jsonl` or `.json`) with images relative to `imageRoot` and converts every usable row.
    public func load(rowsFile path: String, imageRoot: String, source: String) throws -> LoadedExamples {
        let batch = try RowFiles.read(ConversationRow.self, path: path, imageRoot: imageRoot)
        var loaded = convert(batch.rows, imageRoot: imageRoot, source: source, file: path)
        loaded.problems.insert(contentsOf: batch.problems, at: 0)
        return loaded
    }

    /// Converts rows already read; `file` names them in problems.
    public func convert(_ rows: [ConversationRow], imageRoot: String, source: String,
                        file: String = "<rows>") -> LoadedExamples {
        var result = LoadedExamples()
        for (index, row) in rows.enumerated() {
            do {
                let image = try image(row.image, root: imageRoot)
                let encoded = try template.encode(try Self.conversation(row))
                let example = try VLMExample(image: image, encoded: encoded)
                guard example.tokens.count <= textContext else {
                    throw TrainingError.noUsableData("\(example.tokens.count) tokens, more than the model's text "
                                                     + "context of \(textContext); shorten the row or raise context_length")
                }
                result.examples.append(SourcedExample(id: row.id, source: source, example: example))
            } catch {
                result.problems.append(RowProblem(file: file, line: index + 1, reason: "row \(row.id): \(error)"))
            }
        }
        return result
    }

    /// The image at `path` (relative to `root` unless absolute), or the blank image when `path` is nil.
    public func image(_ path: String?, root: String) throws -> RGBImage {
        guard let path else { return blankImage }
        let full = path.hasPrefix("/") ? path : root + "/" + path
        do { return try ImageFile.read(path: full) } catch {
            throw TrainingError.noUsableData("image \(full) does not decode (\(error)); regenerate or remove the row")
        }
    }
}

/// Examples and the rows that could not become examples.
public struct LoadedExamples: Sendable {
    /// Usable examples in file order.
    public var examples: [SourcedExample] = []
    /// Skipped rows with their reasons (`line` is the row's index + 1 for rows converted from memory).
    public var problems: [RowProblem] = []

    /// Nothing loaded yet.
    public init() {}
}
