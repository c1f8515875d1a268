import Artifacts
import Foundation
import ReasonerData

/// The formats `reasoner data import` reads.
public enum ImportFormat: String, CaseIterable, Sendable {
    /// LLaVA conversation rows, JSONL or a JSON array (the paper's `sft_data` `cot.*.jsonl` / `direct.*.jsonl`).
    case llava
    /// The paper's DPO rows `{"id"?, "image", "question", "chosen", "rejected"}`, JSONL or a JSON array.
    case dpo
    /// Benchmark items, JSONL, a JSON array or CSV with a header row.
    case items
    /// The synthetic suite's item rows (`reasoner data generate`'s `train.jsonl`, `test.jsonl`, ...).
    case suite

    /// What the imported folder holds.
    public var kind: DatasetKind {
        switch self {
        case .llava: .sft
        case .dpo: .preference
        case .items, .suite: .items
        }
    }
}

/// What to import and where.
public struct ImportRequest: Sendable {
    /// The rows file.
    public var input: String
    /// The folder the rows' image paths are relative to; nil means the rows file's own folder.
    public var images: String?
    /// The dataset folder to write (replaced if it is an earlier import; refused if it is anything else).
    public var output: String
    /// The benchmark of items whose rows name none.
    public var benchmark: String?
    /// The split of items whose rows name none.
    public var split: String?

    /// A request.
    public init(input: String, images: String? = nil, output: String, benchmark: String? = nil,
                split: String? = nil) {
        self.input = input
        self.images = images
        self.output = output
        self.benchmark = benchmark
        self.split = split
    }
}

/// `reasoner data import`: reads rows in a format people have, checks each (its fields, its `<image>` markers, its
/// image: inside the images folder, present, decodable), and writes a dataset folder — the rows file of its kind,
/// the images under `images/`, and `manifest.json` with the counts and every skipped row. The folder is built
/// beside its destination and renamed into place, so it appears whole or not at all.
public enum DatasetImporter {
    /// Imports `request.input` as `format`; returns the manifest written.
    public static func run(_ format: ImportFormat, _ request: ImportRequest) throws -> DatasetManifest {
        guard FileManager.default.fileExists(atPath: request.input) else {
            throw DatasetIOError.missingInput(request.input)
        }
        let source = try SourceRows.read(format, request: request)
        let imagesRoot = request.images ?? (request.input as NSString).deletingLastPathComponent
        let stem = ((request.input as NSString).lastPathComponent as NSString).deletingPathExtension
        var manifest = DatasetManifest(version: DatasetManifest.currentVersion, kind: format.kind,
                                       rows: format.kind.rowsFile, sourceFormat: format.rawValue,
                                       source: request.input, read: source.read, kept: 0, images: 0,
                                       breakdown: [:], ignoredColumns: source.ignoredColumns, problems: [])
        try DatasetOutput.write(to: request.output) { folder in
            var intake = try ImageIntake(sourceRoot: imagesRoot.isEmpty ? "." : imagesRoot, destination: folder,
                                         prefix: "images/")
            var problems = source.problems, firstLine: [String: Int] = [:], lines = Data()
            for candidate in source.rows {
                func skip(_ reason: String) {
                    problems.append(RowProblem(file: request.input, line: candidate.line, reason: reason))
                }
                let id = candidate.id ?? "\(stem)-\(candidate.line)"
                if let first = firstLine[id] {
                    skip("duplicate id \(id) (first used at line \(first)); give every row its own id")
                    continue
                }
                var image: String?
                if let path = candidate.image {
                    switch intake.take(path) {
                    case .success(let copied): image = copied
                    case .failure(let refusal): skip(refusal.reason); continue
                    }
                }
                firstLine[id] = candidate.line
                let (row, group) = try candidate.finish(id, image)
                lines.append(row)
                lines.append(0x0A)
                manifest.kept += 1
                if let group { manifest.breakdown[group, default: 0] += 1 }
            }
            manifest.problems = problems.sorted { $0.line < $1.line }
                .map { DatasetManifest.Problem(file: $0.file, line: $0.line, reason: $0.reason) }
            guard manifest.kept > 0 else {
                throw DatasetIOError.noUsableRows(file: request.input, problems: problems.sorted { $0.line < $1.line })
            }
            manifest.images = intake.copied
            try lines.write(to: URL(fileURLWithPath: folder + "/" + format.kind.rowsFile))
            try DatasetOutput.writeManifest(manifest, folder: folder)
        }
        return manifest
    }
}

/// Writing dataset folders: atomically, and never over a folder that is not a dataset.
enum DatasetOutput {
    /// Builds the folder at `path` with `build` (given the temporary folder to fill) and renames it into place. An
    /// existing folder is replaced only if it is empty or holds `marker` (`manifest.json` for a dataset,
    /// `export.json` for an export): one this tool wrote.
    static func write(to path: String, marker: String = DatasetManifest.fileName,
                      build: (String) throws -> Void) throws {
        let standard = (path as NSString).standardizingPath
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: standard, isDirectory: &isFolder) {
            let contents = isFolder.boolValue ? (try? FileManager.default.contentsOfDirectory(atPath: standard)) : nil
            guard let contents, contents.isEmpty || contents.contains(marker) else {
                throw DatasetIOError.outputNotADataset(path)
            }
        }
        let parent = (standard as NSString).deletingLastPathComponent
        let store = try ArtifactStore(root: parent.isEmpty ? "." : parent)
        try store.writeDirectory(try ArtifactRef((standard as NSString).lastPathComponent), build: build)
    }

    /// Writes a manifest (sorted keys, indented) into `folder` as `name`.
    static func writeManifest<Manifest: Encodable>(_ manifest: Manifest, folder: String,
                                                   name: String = DatasetManifest.fileName) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        try encoder.encode(manifest).write(to: URL(fileURLWithPath: folder + "/" + name))
    }
}
