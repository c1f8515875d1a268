import Foundation
import ReasonerData

/// Plain JSONL files of the module's own records (reference log-probs, evaluation results): every line must
/// decode, except a torn last line, which a killed writer can leave and which is ignored (its record is redone).
enum JSONLines {
    /// The records of `url` in order ([] when the file does not exist).
    static func read<Record: Decodable>(_ type: Record.Type, from url: URL) throws -> [Record] {
        guard let data = FileManager.default.contents(atPath: url.path) else { return [] }
        let lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
        let complete = data.last == UInt8(ascii: "\n")
        let decoder = JSONDecoder()
        var records: [Record] = []
        for (index, line) in lines.enumerated() {
            do {
                records.append(try decoder.decode(Record.self, from: Data(line)))
            } catch where index == lines.count - 1 && !complete {
                break
            } catch {
                throw TrainingError.unusableRunFolder("\(url.path) line \(index + 1) does not decode (\(error)); "
                                                      + "delete the file to redo its work")
            }
        }
        return records
    }

    /// Appends records, one line each (sorted keys).
    static func append<Record: Encodable>(_ records: [Record], to url: URL) throws {
        try appendBytes(try RowFiles.jsonLines(records), to: url)
    }

    /// Appends bytes to `url`, creating it (and its folder) if needed.
    static func appendBytes(_ data: Data, to url: URL) throws {
        if !FileManager.default.fileExists(atPath: url.path) {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: data)
    }
}
