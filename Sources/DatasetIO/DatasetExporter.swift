import Foundation
import ReasonerData

/// The trainers `reasoner data export` writes for.
public enum ExportFormat: String, CaseIterable, Sendable {
    /// Hugging Face TRL's conversational vision format (`SFTTrainer`: `messages` + `images`; `DPOTrainer`:
    /// `prompt` / `chosen` / `rejected` + `images`), JSONL.
    case trl
    /// LLaMA-Factory's sharegpt format (`conversations` + `images`; for DPO also `chosen` / `rejected`), a JSON
    /// array, with the `dataset_info.json` entry that registers it.
    case llamaFactory = "llama-factory"
    /// The paper's own formats: LLaVA rows for SFT, `{"id", "image", "question", "chosen", "rejected"}` for DPO.
    case paper
}

/// What to export and where.
public struct ExportRequest: Sendable {
    /// A dataset folder written by `reasoner data import` (SFT rows or pairs).
    public var input: String
    /// The folder to write (replaced if it is an earlier export; refused if it is anything else).
    public var output: String
    /// The dataset's name in LLaMA-Factory's `dataset_info.json`; nil means `reasoner_sft` / `reasoner_dpo`.
    public var name: String?

    /// A request.
    public init(input: String, output: String, name: String? = nil) {
        self.input = input
        self.output = output
        self.name = name
    }
}

/// The record of an export folder (`export.json`).
public struct ExportManifest: Codable, Sendable, Equatable {
    /// The file's name inside an export folder.
    public static let fileName = "export.json"

    /// The trainer format.
    public var format: String
    /// SFT rows or preference pairs.
    public var kind: DatasetKind
    /// The rows file, relative to the folder.
    public var rows: String
    /// The dataset folder exported.
    public var source: String
    /// Rows written.
    public var exported: Int
    /// Images copied (paths in the rows are relative to the export folder).
    public var images: Int
    /// Rows of the dataset that could not be exported (edited since the import, or an image gone), with reasons.
    public var problems: [DatasetManifest.Problem]
}

/// `reasoner data export`: an imported dataset's SFT rows or pairs rewritten for another trainer, with their images
/// copied beside them, in a folder that can be moved to a GPU machine as it is.
public enum DatasetExporter {
    /// Exports `request.input` as `format`; returns the record written.
    public static func run(_ format: ExportFormat, _ request: ExportRequest) throws -> ExportManifest {
        guard FileManager.default.fileExists(atPath: request.input) else {
            throw DatasetIOError.missingInput(request.input)
        }
        let dataset = try DatasetManifest.load(folder: request.input)
        let rowsPath = request.input + "/" + dataset.rows
        let file = fileName(format, dataset.kind)
        var manifest = ExportManifest(format: format.rawValue, kind: dataset.kind, rows: file, source: request.input,
                                      exported: 0, images: 0, problems: [])
        let rows: [NumberedRow<any ExportableRow>], readProblems: [RowProblem]
        switch dataset.kind {
        case .items:
            throw DatasetIOError.unsupportedExport(format: format.rawValue, kind: "items", reason: "items are "
                + "questions without responses; distill them into SFT rows or sample and judge them into pairs "
                + "first, then import those rows and export them")
        case .sft:
            let read = try RowFiles.readNumbered(SFTRow.self, path: rowsPath)
            rows = read.rows.map { NumberedRow(line: $0.line, row: $0.row as any ExportableRow) }
            readProblems = read.problems
        case .preference:
            let read = try RowFiles.readNumbered(PreferenceRow.self, path: rowsPath)
            rows = read.rows.map { NumberedRow(line: $0.line, row: $0.row as any ExportableRow) }
            readProblems = read.problems
        }
        try DatasetOutput.write(to: request.output, marker: ExportManifest.fileName) { folder in
            var intake = try ImageIntake(sourceRoot: request.input, destination: folder, prefix: "")
            var problems = readProblems, encoded: [Data] = []
            for entry in rows {
                var image: String?
                if let path = entry.row.imagePath {
                    switch intake.take(path) {
                    case .success(let copied): image = copied
                    case .failure(let refusal):
                        problems.append(RowProblem(file: rowsPath, line: entry.line, reason: refusal.reason))
                        continue
                    }
                }
                encoded.append(try entry.row.exported(format, image: image))
            }
            guard !encoded.isEmpty else {
                throw DatasetIOError.noUsableRows(file: rowsPath, problems: problems.sorted { $0.line < $1.line })
            }
            try rowsFile(encoded, asArray: format == .llamaFactory)
                .write(to: URL(fileURLWithPath: folder + "/" + file))
            if format == .llamaFactory {
                let entry = LlamaFactoryEntry(file: file, kind: dataset.kind)
                let name = request.name ?? (dataset.kind == .sft ? "reasoner_sft" : "reasoner_dpo")
                try LlamaFactoryEntry.write([name: entry], folder: folder)
            }
            manifest.exported = encoded.count
            manifest.images = intake.copied
            manifest.problems = problems.sorted { $0.line < $1.line }
                .map { DatasetManifest.Problem(file: $0.file, line: $0.line, reason: $0.reason) }
            try DatasetOutput.writeManifest(manifest, folder: folder, name: ExportManifest.fileName)
        }
        return manifest
    }

    /// The rows file of a format and kind.
    static func fileName(_ format: ExportFormat, _ kind: DatasetKind) -> String {
        let stem = kind == .sft ? "sft" : "dpo"
        return format == .llamaFactory ? stem + ".json" : stem + ".jsonl"
    }

    /// Encoded rows as JSONL, or as one JSON array with a row per line.
    static func rowsFile(_ rows: [Data], asArray: Bool) -> Data {
        var out = asArray ? Data("[\n".utf8) : Data()
        for (index, row) in rows.enumerated() {
            out.append(row)
            if asArray && index + 1 < rows.count { out.append(UInt8(ascii: ",")) }
            out.append(0x0A)
        }
        if asArray { out.append(contentsOf: Array("]\n".utf8)) }
        return out
    }
}

/// A row of an imported dataset that every export format can express.
protocol ExportableRow: Sendable {
    /// The image path relative to the dataset folder, if any.
    var imagePath: String? { get }
    /// The row in `format`, its image at `image` (relative to the export folder), as JSON.
    func exported(_ format: ExportFormat, image: String?) throws -> Data
}

extension SFTRow: ExportableRow {
    func exported(_ format: ExportFormat, image: String?) throws -> Data {
        switch format {
        case .trl: try RowFiles.encode(TrainerRows.trl(self, image: image))
        case .llamaFactory: try RowFiles.encode(TrainerRows.shareGPT(self, image: image))
        case .paper: try RowFiles.encode(ConversationRow(id: id, image: image, conversations: conversations))
        }
    }
}

extension PreferenceRow: ExportableRow {
    func exported(_ format: ExportFormat, image: String?) throws -> Data {
        switch format {
        case .trl: try RowFiles.encode(TrainerRows.trl(self, image: image))
        case .llamaFactory: try RowFiles.encode(TrainerRows.shareGPT(self, image: image))
        case .paper: try RowFiles.encode(PreferenceRow(id: id, image: image, question: question, chosen: chosen,
                                                       rejected: rejected))
        }
    }
}

/// A dataset's entry in LLaMA-Factory's `dataset_info.json`: the sharegpt formatting, its columns and the tags of
/// LLaVA's `from` / `value` turns; `ranking` marks a preference dataset.
struct LlamaFactoryEntry: Codable, Equatable {
    var fileName: String
    var formatting: String
    var ranking: Bool?
    var columns: [String: String]
    var tags: [String: String]

    private enum CodingKeys: String, CodingKey {
        case fileName = "file_name", formatting, ranking, columns, tags
    }

    init(file: String, kind: DatasetKind) {
        fileName = file
        formatting = "sharegpt"
        ranking = kind == .preference ? true : nil
        columns = ["messages": "conversations", "images": "images"]
        if kind == .preference {
            columns["chosen"] = "chosen"
            columns["rejected"] = "rejected"
        }
        tags = ["role_tag": "from", "content_tag": "value", "user_tag": "human", "assistant_tag": "gpt",
                "system_tag": "system"]
    }

    /// Writes `dataset_info.json` with these entries into `folder`.
    static func write(_ entries: [String: LlamaFactoryEntry], folder: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        try encoder.encode(entries).write(to: URL(fileURLWithPath: folder + "/dataset_info.json"))
    }
}
