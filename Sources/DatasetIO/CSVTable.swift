import Foundation
import ReasonerData

/// A CSV file read as RFC 4180 says: comma-separated fields, a field in double quotes may hold commas, line breaks
/// and doubled quotes (`""`), lines end with LF or CRLF, a UTF-8 byte-order mark is ignored. The first record is the
/// header. Records keep the line they start on, so problems are reported where an editor shows them.
public struct CSVTable: Sendable {
    /// One data record: its fields by column name and the 1-based line where it starts.
    public struct Record: Sendable {
        /// The line where the record starts.
        public var line: Int
        /// Field values by header name (every header column is present; a short record is a problem instead).
        public var fields: [String: String]
    }

    /// The header's column names, in order.
    public var columns: [String]
    /// The records whose field count matches the header.
    public var records: [Record]
    /// Records that could not be read (wrong field count, an unclosed quote), with their line.
    public var problems: [RowProblem]

    /// Parses CSV text; `file` names the source in problems and errors.
    public init(text: String, file: String) throws {
        var parser = Parser(bytes: Array(text.utf8))
        var rawRecords: [(line: Int, fields: [String])] = []
        var problems: [RowProblem] = []
        while let record = parser.next() {
            switch record {
            case .fields(let line, let fields): rawRecords.append((line, fields))
            case .unclosedQuote(let line):
                problems.append(RowProblem(file: file, line: line, reason: "a quoted field starting here is never "
                    + "closed, so the rest of the file cannot be read; close the quote (write \"\" for a quote "
                    + "inside a field)"))
            }
        }
        guard let header = rawRecords.first else {
            throw DatasetIOError.missingColumns(file: file, columns: ["id", "image", "question", "answer",
                                                                       "answer_type"])
        }
        columns = header.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        var seen = Set<String>()
        for column in columns where !seen.insert(column).inserted {
            throw DatasetIOError.duplicateColumn(file: file, column: column)
        }
        records = []
        for raw in rawRecords.dropFirst() {
            if raw.fields.count == 1 && raw.fields[0].isEmpty { continue }  // a blank line
            guard raw.fields.count == columns.count else {
                problems.append(RowProblem(file: file, line: raw.line, reason: "\(raw.fields.count) fields but the "
                    + "header has \(columns.count) columns; quote fields that contain commas"))
                continue
            }
            records.append(Record(line: raw.line, fields: Dictionary(uniqueKeysWithValues: zip(columns, raw.fields))))
        }
        self.problems = problems.sorted { $0.line < $1.line }
    }

    /// A byte-level RFC 4180 record reader.
    private struct Parser {
        enum Output {
            case fields(line: Int, [String])
            case unclosedQuote(line: Int)
        }

        let bytes: [UInt8]
        var index = 0
        var line = 1

        init(bytes: [UInt8]) {
            self.bytes = bytes
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        }

        private static let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), lf = UInt8(ascii: "\n")
        private static let cr = UInt8(ascii: "\r")

        mutating func next() -> Output? {
            guard index < bytes.count else { return nil }
            let start = line
            var fields: [String] = [], field: [UInt8] = []
            var quoted = false, quoteLine = line
            while index < bytes.count {
                let b = bytes[index]
                index += 1
                if quoted {
                    if b == Self.quote {
                        if index < bytes.count, bytes[index] == Self.quote {
                            field.append(Self.quote)
                            index += 1
                        } else {
                            quoted = false
                        }
                    } else {
                        if b == Self.lf { line += 1 }
                        field.append(b)
                    }
                    continue
                }
                switch b {
                case Self.quote where field.isEmpty:
                    quoted = true
                    quoteLine = line
                case Self.comma:
                    fields.append(String(decoding: field, as: UTF8.self))
                    field = []
                case Self.lf:
                    line += 1
                    fields.append(String(decoding: field, as: UTF8.self))
                    return .fields(line: start, fields)
                case Self.cr where index < bytes.count && bytes[index] == Self.lf:
                    continue
                default:
                    field.append(b)
                }
            }
            if quoted {
                index = bytes.count
                return .unclosedQuote(line: quoteLine)
            }
            fields.append(String(decoding: field, as: UTF8.self))
            return .fields(line: start, fields)
        }
    }
}
