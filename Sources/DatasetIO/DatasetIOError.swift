import ReasonerData

/// Why an import or export could not run at all. Bad rows are not errors: they are reported and skipped
/// (`RowProblem`); these are the failures that leave nothing to write.
public enum DatasetIOError: Error, Equatable, CustomStringConvertible {
    /// The input file or folder does not exist.
    case missingInput(String)
    /// The images folder does not exist or is not a folder.
    case missingImagesFolder(String)
    /// The output exists and is not a dataset folder this tool wrote, so replacing it could destroy unrelated files.
    case outputNotADataset(String)
    /// The CSV header lacks required columns.
    case missingColumns(file: String, columns: [String])
    /// The CSV header names a column twice.
    case duplicateColumn(file: String, column: String)
    /// The input folder is not a dataset written by `reasoner data import`.
    case notADataset(String, reason: String)
    /// The dataset holds a kind of rows the export format cannot express.
    case unsupportedExport(format: String, kind: String, reason: String)
    /// Every row was skipped: nothing would be written. Carries the skipped rows so they can be shown.
    case noUsableRows(file: String, problems: [RowProblem])

    /// The message, saying what to do.
    public var description: String {
        switch self {
        case .missingInput(let path):
            return "\(path) does not exist; give --input the rows file (or, for export, the dataset folder)"
        case .missingImagesFolder(let path):
            return "images folder \(path) does not exist or is not a folder; give --images the folder that the "
                + "rows' image paths are relative to"
        case .outputNotADataset(let path):
            return "\(path) exists and is not a folder this tool wrote (no manifest.json or export.json in it); "
                + "choose a new --output folder, or delete this one first"
        case .missingColumns(let file, let columns):
            return "\(file): the header lacks the column(s) \(columns.joined(separator: ", ")); the first line must "
                + "name the columns id,image,question,answer,answer_type (optional: answers,choices,benchmark,split)"
        case .duplicateColumn(let file, let column):
            return "\(file): the header names the column \(column) twice; keep one"
        case .notADataset(let path, let reason):
            return "\(path) is not a dataset folder written by `reasoner data import` (\(reason)); import the rows "
                + "first, then export the folder the import wrote"
        case .unsupportedExport(let format, let kind, let reason):
            return "cannot export this \(kind) dataset as \(format): \(reason)"
        case .noUsableRows(let file, let problems):
            let shown = problems.prefix(5).map { "\n  \($0)" }.joined()
            let more = problems.count > 5 ? "\n  ... and \(problems.count - 5) more" : ""
            return "\(file): none of its rows is usable, so nothing was written; fix the rows and rerun:" + shown + more
        }
    }
}
