import Foundation
import ReasonerData

/// The rows of a source file that decoded and passed their own checks, each still waiting for its image check and
/// its final id, plus the rows that did not.
struct SourceRows {
    /// A row that decoded, with what the importer still needs to finish it.
    struct Candidate {
        /// The line where it starts.
        let line: Int
        /// Its id, if the source gives one.
        let id: String?
        /// Its image path as the source gives it (relative to the images folder), if any.
        let image: String?
        /// The output row's JSON for a final id and image path, and the group it counts under in the manifest.
        let finish: (_ id: String, _ image: String?) throws -> (row: Data, group: String?)
    }

    /// The decoded rows, in file order.
    var rows: [Candidate]
    /// The rows that did not decode or failed their checks.
    var problems: [RowProblem]
    /// Source columns not used (CSV only).
    var ignoredColumns: [String] = []

    /// Rows read, usable or not.
    var read: Int { rows.count + problems.count }

    /// The columns a benchmark CSV must have, and those it may have.
    static let requiredColumns = ["id", "image", "question", "answer", "answer_type"]
    static let optionalColumns = ["answers", "choices", "benchmark", "split"]

    /// Reads `request.input` as `format`.
    static func read(_ format: ImportFormat, request: ImportRequest) throws -> SourceRows {
        let path = request.input
        switch format {
        case .llava:
            let file = try RowFiles.readNumbered(ConversationRecord.self, path: path)
            return SourceRows(rows: file.rows.map { entry in
                Candidate(line: entry.line, id: entry.row.id, image: entry.row.image) { id, image in
                    let turns = entry.row.conversations
                    let (style, answer) = SFTRow.classify(turns.last?.value ?? "")
                    let row = SFTRow(id: id, image: image, conversations: turns, answer: answer, style: style)
                    return (try RowFiles.encode(row), style.rawValue)
                }
            }, problems: file.problems)
        case .dpo:
            let file = try RowFiles.readNumbered(PairRecord.self, path: path)
            return SourceRows(rows: file.rows.map { entry in
                Candidate(line: entry.line, id: entry.row.id, image: entry.row.image) { id, image in
                    let pair = entry.row
                    let row = PreferenceRow(id: id, image: image, question: pair.question, chosen: pair.chosen,
                                            rejected: pair.rejected)
                    return (try RowFiles.encode(row), nil)
                }
            }, problems: file.problems)
        case .suite:
            let file = try RowFiles.readNumbered(SuiteItem.self, path: path)
            return items(file.rows.map { NumberedRow(line: $0.line, row: DatasetItem($0.row)) },
                         problems: file.problems, request: request)
        case .items:
            if path.lowercased().hasSuffix(".csv") { return try csvItems(request) }
            let file = try RowFiles.readNumbered(BenchmarkRecord.self, path: path)
            return items(file.rows.map { NumberedRow(line: $0.line, row: $0.row.item) }, problems: file.problems,
                         request: request)
        }
    }

    /// Benchmark items from a CSV file: each record becomes a JSON object and decodes as a JSON row would, so CSV
    /// and JSON rows follow one set of rules.
    private static func csvItems(_ request: ImportRequest) throws -> SourceRows {
        let text: String
        do {
            text = try String(contentsOfFile: request.input, encoding: .utf8)
        } catch {
            throw DataError.io(path: request.input, reason: "cannot read the file as UTF-8 text "
                               + "(\(error.localizedDescription)); save it as UTF-8 CSV")
        }
        let table = try CSVTable(text: text, file: request.input)
        let missing = requiredColumns.filter { !table.columns.contains($0) }
        guard missing.isEmpty else { throw DatasetIOError.missingColumns(file: request.input, columns: missing) }
        var problems = table.problems, rows: [NumberedRow<DatasetItem>] = []
        for record in table.records {
            let json = try JSONSerialization.data(withJSONObject: record.fields)
            switch RowFiles.decodeRow(BenchmarkRecord.self, from: json) {
            case .row(let decoded): rows.append(NumberedRow(line: record.line, row: decoded.item))
            case .rejected(let reason):
                // The record was never JSON to the user: speak of its fields.
                let why = reason.replacingOccurrences(of: "bad JSON or missing field", with: "bad or missing field")
                problems.append(RowProblem(file: request.input, line: record.line, reason: why))
            }
        }
        var source = items(rows, problems: problems, request: request)
        source.ignoredColumns = table.columns.filter { !(requiredColumns + optionalColumns).contains($0) }
        return source
    }

    /// Candidates for items: the benchmark and split default to the request's, the image to its copy.
    private static func items(_ rows: [NumberedRow<DatasetItem>], problems: [RowProblem],
                              request: ImportRequest) -> SourceRows {
        SourceRows(rows: rows.map { entry in
            Candidate(line: entry.line, id: entry.row.id, image: entry.row.image) { id, image in
                var item = entry.row
                item.id = id
                item.image = image ?? item.image
                item.benchmark = item.benchmark ?? request.benchmark
                item.split = item.split ?? request.split
                return (try RowFiles.encode(item), item.benchmark ?? "(none)")
            }
        }, problems: problems)
    }
}
