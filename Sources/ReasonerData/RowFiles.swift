import Foundation

/// A row that was skipped, and where it was.
public struct RowProblem: Sendable, Equatable, CustomStringConvertible {
    /// The file.
    public var file: String
    /// The 1-based line where the row starts.
    public var line: Int
    /// Why it was skipped.
    public var reason: String

    /// A problem at `file:line`.
    public init(file: String, line: Int, reason: String) {
        self.file = file
        self.line = line
        self.reason = reason
    }

    /// `file:line: reason`.
    public var description: String { "\(file):\(line): \(reason)" }
}

/// The usable rows of a file and the rows that were skipped.
public struct RowBatch<Row: Sendable>: Sendable {
    /// Rows that decoded and passed their checks, in file order.
    public var rows: [Row]
    /// Rows that were skipped, each with its reason; never dropped silently.
    public var problems: [RowProblem]
}

/// A usable row and the 1-based line where it starts in its file.
public struct NumberedRow<Row: Sendable>: Sendable {
    /// The line where the row starts.
    public var line: Int
    /// The row.
    public var row: Row

    /// A row at `line`.
    public init(line: Int, row: Row) {
        self.line = line
        self.row = row
    }
}

/// Reads and writes rows as JSONL (one object per line) or JSON (one array), images relative to a root.
public enum RowFiles {
    /// Reads a `.jsonl` or `.json` file (recognised by its first non-blank byte: `[` means a JSON array).
    /// - Parameter imageRoot: the folder image paths are relative to; when given, rows whose image file is missing
    ///   are skipped and reported.
    public static func read<Row: DatasetRow>(_ type: Row.Type, path: String,
                                             imageRoot: String? = nil) throws -> RowBatch<Row> {
        let numbered = try readNumbered(type, path: path)
        var batch = RowBatch<Row>(rows: [], problems: numbered.problems)
        for entry in numbered.rows {
            if let root = imageRoot, let image = entry.row.imagePath {
                let full = image.hasPrefix("/") ? image : root + "/" + image
                guard FileManager.default.fileExists(atPath: full) else {
                    batch.problems.append(RowProblem(file: path, line: entry.line,
                                                     reason: "missing image \(image) (looked in \(root))"))
                    continue
                }
            }
            batch.rows.append(entry.row)
        }
        batch.problems.sort { $0.line < $1.line }
        return batch
    }

    /// Reads a `.jsonl` or `.json` file like `read`, keeping each usable row's line (for checks that come later,
    /// such as an importer's image checks) and checking no images.
    public static func readNumbered<Row: DatasetRow>(_ type: Row.Type, path: String) throws
        -> (rows: [NumberedRow<Row>], problems: [RowProblem]) {
        let bytes: [UInt8]
        do {
            bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw DataError.io(path: path, reason: "cannot read the file (\(error.localizedDescription))")
        }
        var rows: [NumberedRow<Row>] = [], problems: [RowProblem] = []
        for piece in try splitRows(bytes, path: path) {
            switch decodeRow(type, from: Data(bytes[piece.range])) {
            case .row(let row): rows.append(NumberedRow(line: piece.line, row: row))
            case .rejected(let reason): problems.append(RowProblem(file: path, line: piece.line, reason: reason))
            }
        }
        return (rows, problems)
    }

    /// The outcome of decoding one row.
    public enum Decoded<Row> {
        /// The row decoded and passed its own checks.
        case row(Row)
        /// Why it is skipped.
        case rejected(String)
    }

    /// Decodes one row's JSON and runs its own checks (`DatasetRow.problem`): the one decoding rule of every row
    /// reader, whatever the file's layout (JSONL, a JSON array, a CSV record turned into an object).
    public static func decodeRow<Row: DatasetRow>(_ type: Row.Type, from json: Data) -> Decoded<Row> {
        let row: Row
        do {
            row = try JSONDecoder().decode(Row.self, from: json)
        } catch {
            return .rejected("bad JSON or missing field (\(describe(error)))")
        }
        if let problem = row.problem { return .rejected(problem) }
        return .row(row)
    }

    /// Writes rows as JSONL, keys sorted, one row per line, atomically.
    public static func writeJSONL<Row: Encodable>(_ rows: [Row], path: String) throws {
        try write(try jsonLines(rows), path: path)
    }

    /// Rows as JSONL bytes (keys sorted, one row per line), for writers that store them elsewhere (the artifacts
    /// volume).
    public static func jsonLines<Row: Encodable>(_ rows: [Row]) throws -> Data {
        var out = Data()
        for row in rows {
            out.append(try encode(row))
            out.append(0x0A)
        }
        return out
    }

    /// Writes rows as one JSON array (one row per line inside it), atomically.
    public static func writeJSON<Row: Encodable>(_ rows: [Row], path: String) throws {
        var out = Data("[\n".utf8)
        for (i, row) in rows.enumerated() {
            out.append(try encode(row))
            out.append(contentsOf: Array((i + 1 < rows.count ? ",\n" : "\n").utf8))
        }
        out.append(contentsOf: Array("]\n".utf8))
        try write(out, path: path)
    }

    /// The one JSON encoding of rows: sorted keys, unescaped slashes, so files are byte-identical across runs.
    public static func encode<Row: Encodable>(_ row: Row) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(row)
    }

    static func write(_ data: Data, path: String) throws {
        do {
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw DataError.io(path: path, reason: "cannot write the file (\(error.localizedDescription))")
        }
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): return "no \"\(key.stringValue)\""
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        case DecodingError.dataCorrupted(let context): return context.debugDescription
        default: return "\(error)"
        }
    }

    /// The byte ranges and starting lines of the rows: lines for JSONL, top-level elements for a JSON array.
    static func splitRows(_ bytes: [UInt8], path: String) throws -> [(range: Range<Int>, line: Int)] {
        let newline = UInt8(ascii: "\n")
        guard let first = bytes.firstIndex(where: { !($0 == 32 || $0 == 9 || $0 == 10 || $0 == 13) }) else {
            return []
        }
        var pieces: [(range: Range<Int>, line: Int)] = []
        var line = 1 + bytes[..<first].filter { $0 == newline }.count
        if bytes[first] != UInt8(ascii: "[") {
            var start = 0
            line = 1
            for i in 0...bytes.count where i == bytes.count || bytes[i] == newline {
                if bytes[start..<i].contains(where: { !($0 == 32 || $0 == 9 || $0 == 13) }) {
                    pieces.append((start..<i, line))
                }
                start = i + 1
                line += 1
            }
            return pieces
        }
        // A JSON array: walk it, tracking strings and depth, cutting at top-level commas.
        var depth = 0, inString = false, escaped = false
        var start: Int?, startLine = line
        var closed = false
        var i = first
        while i < bytes.count {
            let b = bytes[i]
            if b == newline { line += 1 }
            if inString {
                if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == 34 {
                    inString = false
                }
            } else if b == 34 {
                inString = true
                if depth == 1, start == nil { start = i; startLine = line }
            } else if b == UInt8(ascii: "[") || b == UInt8(ascii: "{") {
                depth += 1
                if depth == 2, start == nil { start = i; startLine = line }
            } else if b == UInt8(ascii: "]") || b == UInt8(ascii: "}") {
                depth -= 1
                if depth == 0 {
                    if let s = start { pieces.append((s..<i, startLine)) }
                    closed = true
                    break
                }
            } else if b == UInt8(ascii: ","), depth == 1 {
                if let s = start { pieces.append((s..<i, startLine)) }
                start = nil
            } else if depth == 1, start == nil, !(b == 32 || b == 9 || b == 10 || b == 13) {
                start = i
                startLine = line
            }
            i += 1
        }
        guard closed else {
            throw DataError.unreadable(path: path, reason: "the JSON array is not closed; fix the file or write JSONL")
        }
        return pieces
    }
}
