import ArgumentParser
import DatasetIO
import Foundation
import ReasonerData

extension ImportFormat: ExpressibleByArgument {}
extension ExportFormat: ExpressibleByArgument {}

/// `reasoner data import FORMAT`: real rows in, checked, as a dataset folder.
struct DataImport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Check rows in a format people have and write them as a dataset folder (rows, images, manifest).",
        discussion: """
        FORMAT is one of:

          llava   LLaVA conversation rows, JSONL or a JSON array (the paper's sft_data cot.*.jsonl and
                  direct.*.jsonl): {"id", "image", "conversations": [{"from": "human", "value": "<image>\\n..."},
                  {"from": "gpt", "value": "..."}]}. Written to sft.jsonl as the same rows plus "answer" (what
                  follows the last "### Answer:" of a CoT target, or the whole of a one-line direct target) and
                  "style" (cot, direct or free).
          dpo     the paper's DPO rows {"id"?, "image", "question", "chosen", "rejected"}, JSONL or a JSON array.
                  Written to pairs.jsonl unchanged (a missing id becomes <file>-<line>).
          items   benchmark items, JSONL, a JSON array or CSV (a header row naming the columns): id, image,
                  question, answer, answer_type (number or relaxed, word, multiple_choice, anls, vqa), and
                  optionally answers (VQA's annotator answers: a JSON list or a|b|c), choices (likewise, in letter
                  order), benchmark and split. Written to items.jsonl as general dataset items.
          suite   the synthetic suite's item rows (train.jsonl, test.jsonl ... of `reasoner data generate`), written
                  as general dataset items (family becomes benchmark).

        Image paths in the rows are relative to --images (default: the rows file's folder). Each row is checked:
        its fields, its <image> markers (one, in a human turn, when the row has an image), and its image — a plain
        relative path (no "..", not absolute, no symlink leading out of the images folder) to a PNG or JPEG that
        decodes. Images are copied to <output>/images/<path>. Bad rows are reported with their line and skipped;
        all of them are listed in <output>/manifest.json with the counts. See docs/data-formats.md.
        """
    )

    @Argument(help: "The source format: llava, dpo, items or suite.")
    var format: ImportFormat

    @Option(name: .shortAndLong, help: "The rows file (.jsonl, .json, or .csv for items).")
    var input: String

    @Option(help: "The folder the rows' image paths are relative to (default: the rows file's folder).")
    var images: String?

    @Option(name: .shortAndLong, help: "The dataset folder to write (an earlier import there is replaced).")
    var output: String

    @Option(help: "The benchmark of items whose rows name none (items and suite).")
    var benchmark: String?

    @Option(help: "The split of items whose rows name none (items and suite).")
    var split: String?

    func run() throws {
        let request = ImportRequest(input: input, images: images, output: output, benchmark: benchmark, split: split)
        let manifest = try DatasetImporter.run(format, request)
        ProblemReport.print(manifest.problems, manifestPath: output + "/" + DatasetManifest.fileName)
        if !manifest.ignoredColumns.isEmpty {
            print("ignored columns: \(manifest.ignoredColumns.joined(separator: ", "))")
        }
        let breakdown = manifest.breakdown.keys.sorted().map { "\($0) \(manifest.breakdown[$0] ?? 0)" }
        print("imported \(manifest.kept) of \(manifest.read) rows as \(manifest.kind.rawValue) (\(manifest.rows))"
              + (breakdown.isEmpty ? "" : ": " + breakdown.joined(separator: ", "))
              + "; skipped \(manifest.problems.count); copied \(manifest.images) images to \(output)")
    }
}

/// `reasoner data export FORMAT`: a dataset folder's SFT rows or pairs for another trainer.
struct DataExport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write an imported dataset's SFT rows or DPO pairs for TRL, LLaMA-Factory or the paper's code.",
        discussion: """
        --input is a folder written by `reasoner data import` (llava rows or dpo pairs). FORMAT is one of:

          trl            TRL's conversational vision format, JSONL. SFT (sft.jsonl): {"messages": [{"role": "user",
                         "content": [{"type": "image"}, {"type": "text", "text": ...}]}, {"role": "assistant",
                         "content": [{"type": "text", "text": ...}]}], "images": ["images/..."]}. DPO (dpo.jsonl):
                         {"prompt": [user message], "chosen": [assistant message], "rejected": [assistant message],
                         "images": [...]}. The <image> marker becomes the {"type": "image"} part.
          llama-factory  LLaMA-Factory's sharegpt format, a JSON array. SFT (sft.json): {"conversations": [{"from":
                         "human", "value": "<image>\\n..."}, {"from": "gpt", ...}], "images": [...]}. DPO (dpo.json):
                         {"conversations": [human turn], "chosen": {"from": "gpt", ...}, "rejected": {...},
                         "images": [...]}. Also dataset_info.json with the entry (formatting sharegpt, ranking for
                         DPO, columns, tags) under --name.
          paper          the paper's own formats: LLaVA rows (sft.jsonl) or {"id", "image", "question", "chosen",
                         "rejected"} (dpo.jsonl).

        Images are copied beside the rows; their paths are relative to the output folder. export.json records the
        counts and any row that could not be exported. See docs/data-formats.md.
        """
    )

    @Argument(help: "The trainer format: trl, llama-factory or paper.")
    var format: ExportFormat

    @Option(name: .shortAndLong, help: "A dataset folder written by `reasoner data import`.")
    var input: String

    @Option(name: .shortAndLong, help: "The folder to write (an earlier export there is replaced).")
    var output: String

    @Option(help: "The dataset's name in LLaMA-Factory's dataset_info.json (default reasoner_sft / reasoner_dpo).")
    var name: String?

    func run() throws {
        let manifest = try DatasetExporter.run(format, ExportRequest(input: input, output: output, name: name))
        ProblemReport.print(manifest.problems, manifestPath: output + "/" + ExportManifest.fileName)
        print("exported \(manifest.exported) \(manifest.kind.rawValue) rows as \(manifest.format) to "
              + "\(output)/\(manifest.rows) with \(manifest.images) images; skipped \(manifest.problems.count)")
    }
}

/// Printing skipped rows: each with its file and line on standard error, the first fifty, the rest counted.
enum ProblemReport {
    static func print(_ problems: [DatasetManifest.Problem], manifestPath: String) {
        for problem in problems.prefix(50) {
            FileHandle.standardError.write(Data("skipped \(problem.file):\(problem.line): \(problem.reason)\n".utf8))
        }
        if problems.count > 50 {
            FileHandle.standardError.write(Data("... and \(problems.count - 50) more, all listed in \(manifestPath)\n".utf8))
        }
    }
}
