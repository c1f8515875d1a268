import Foundation
import ReasonerData

/// What a dataset folder holds: benchmark items to ask and judge, SFT conversations, or DPO pairs.
public enum DatasetKind: String, Codable, Sendable, CaseIterable {
    /// `items.jsonl` of `DatasetItem` (questions with reference answers: evaluation, sampling, distillation).
    case items
    /// `sft.jsonl` of `SFTRow` (LLaVA conversations with the short answer their target ends in).
    case sft
    /// `pairs.jsonl` of `PreferenceRow` (the paper's DPO rows).
    case preference

    /// The rows file's name inside the folder.
    public var rowsFile: String {
        switch self {
        case .items: "items.jsonl"
        case .sft: "sft.jsonl"
        case .preference: "pairs.jsonl"
        }
    }
}

/// How an SFT target is written.
public enum ResponseStyle: String, Codable, Sendable, CaseIterable {
    /// A rationale that ends in `### Answer: X` (the paper's CoT targets).
    case cot
    /// One short line: the answer itself (the paper's direct targets).
    case direct
    /// Anything else (a caption, a free-form reply): trained on as it is, with no short answer to judge.
    case free
}

/// A LLaVA conversation row as an import writes it: the row itself, plus the short answer its last gpt turn gives
/// and how that turn is written. The extra keys are ignored by readers of plain LLaVA rows (`ConversationRow`,
/// LLaVA's own loader), so the file is both a LLaVA rows file and an annotated one.
public struct SFTRow: Codable, Sendable, Equatable {
    /// Stable id.
    public var id: String
    /// The image path relative to the dataset folder; nil for a text-only row.
    public var image: String?
    /// The turns, human first, gpt last.
    public var conversations: [ConversationTurn]
    /// The short answer of the last gpt turn: after `### Answer:` for a CoT target, the whole turn for a direct one.
    public var answer: String?
    /// How the last gpt turn is written.
    public var style: ResponseStyle

    /// Creates a row.
    public init(id: String, image: String?, conversations: [ConversationTurn], answer: String?, style: ResponseStyle) {
        self.id = id
        self.image = image
        self.conversations = conversations
        self.answer = answer
        self.style = style
    }

    /// The plain LLaVA row.
    public var conversation: ConversationRow { ConversationRow(id: id, image: image, conversations: conversations) }

    /// The style and short answer of a target. A target with the `### Answer:` marker is CoT (its answer is what
    /// follows the last marker; nil when that is empty); one short line is direct; anything else is free.
    public static func classify(_ target: String) -> (style: ResponseStyle, answer: String?) {
        let extraction = AnswerExtractor.extract(target)
        switch extraction.rule {
        case .marker: return (.cot, extraction.text)
        case .wholeShort: return (.direct, extraction.text)
        default: return (.free, nil)
        }
    }
}

extension SFTRow: DatasetRow {
    /// The image path, if any.
    public var imagePath: String? { image }
    /// The LLaVA row's own checks.
    public var problem: String? { conversation.problem }
}

/// The record of a dataset folder (`manifest.json`): what it holds, where it came from, how many rows were read,
/// kept and skipped, and every skipped row with its file, line and reason — nothing is dropped without a trace.
public struct DatasetManifest: Codable, Sendable, Equatable {
    /// The file's name inside a dataset folder.
    public static let fileName = "manifest.json"
    /// The layout version this code writes and reads.
    public static let currentVersion = 1

    /// The layout version.
    public var version: Int
    /// What the rows are.
    public var kind: DatasetKind
    /// The rows file, relative to the folder.
    public var rows: String
    /// The format the rows were imported from (`llava`, `dpo`, `items`, `suite`).
    public var sourceFormat: String
    /// The input file, as given.
    public var source: String
    /// Rows read from the source (usable or not).
    public var read: Int
    /// Rows written.
    public var kept: Int
    /// Images copied into the folder.
    public var images: Int
    /// Kept rows per benchmark (items) or per response style (SFT); empty for pairs.
    public var breakdown: [String: Int]
    /// Source columns that were not used (CSV), so a misspelt optional column is noticed.
    public var ignoredColumns: [String]
    /// Every skipped row.
    public var problems: [Problem]

    /// A skipped row.
    public struct Problem: Codable, Sendable, Equatable {
        /// The source file.
        public var file: String
        /// The 1-based line where the row starts.
        public var line: Int
        /// Why it was skipped.
        public var reason: String
    }

    private enum CodingKeys: String, CodingKey {
        case version, kind, rows, sourceFormat = "source_format", source, read, kept, images, breakdown,
             ignoredColumns = "ignored_columns", problems
    }

    /// Reads the manifest of the dataset folder at `folder`.
    public static func load(folder: String) throws -> DatasetManifest {
        let path = folder + "/" + fileName
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DatasetIOError.notADataset(folder, reason: "no \(fileName)")
        }
        let manifest: DatasetManifest
        do {
            manifest = try JSONDecoder().decode(DatasetManifest.self, from: data)
        } catch {
            throw DatasetIOError.notADataset(folder, reason: "\(fileName) does not decode: \(error)")
        }
        guard manifest.version == currentVersion else {
            throw DatasetIOError.notADataset(folder, reason: "\(fileName) has layout version \(manifest.version), "
                + "this build reads \(currentVersion); re-import with this build")
        }
        return manifest
    }
}
