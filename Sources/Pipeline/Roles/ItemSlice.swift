import Artifacts
import Foundation
import ReasonerData

/// Lines of a suite-items JSONL file in the artifacts volume: what a distill batch, a sampling shard and an
/// evaluation shard each work on.
public struct ItemSlice: Codable, Sendable, Equatable {
    /// The items file (`{id, image, question, answer, ...}` per line); image paths are relative to its folder.
    public var file: ArtifactRef
    /// The first line (0-based).
    public var firstLine: Int
    /// How many lines.
    public var lineCount: Int

    /// A slice of `file`.
    public init(file: ArtifactRef, firstLine: Int, lineCount: Int) {
        self.file = file
        self.firstLine = firstLine
        self.lineCount = lineCount
    }

    /// Cuts `count` lines of `file` into slices of at most `size`.
    public static func slices(of file: ArtifactRef, count: Int, size: Int) -> [ItemSlice] {
        precondition(size >= 1, "a slice holds at least one line")
        return stride(from: 0, to: count, by: size).map {
            ItemSlice(file: file, firstLine: $0, lineCount: min(size, count - $0))
        }
    }

    /// The items of the slice. A slice outside the file, or a line that is not an item, can never be read: both
    /// throw ``HandlerError/permanent(_:)`` (the message is dead-lettered with the reason).
    public func read(from artifacts: ArtifactStore) throws -> [SuiteItem] {
        let data: Data
        do {
            data = try artifacts.read(file)
        } catch ArtifactError.notFound {
            throw HandlerError.permanent("the items file \(file) does not exist in the artifacts volume")
        }
        let lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        guard firstLine >= 0, lineCount >= 0, firstLine + lineCount <= lines.count else {
            throw HandlerError.permanent("lines \(firstLine)..<\(firstLine + lineCount) are outside \(file) "
                                         + "(\(lines.count) lines)")
        }
        let decoder = JSONDecoder()
        return try lines[firstLine..<(firstLine + lineCount)].enumerated().compactMap { offset, line in
            guard !line.isEmpty else { return nil }
            do {
                return try decoder.decode(SuiteItem.self, from: Data(line))
            } catch {
                throw HandlerError.permanent("\(file):\(firstLine + offset + 1): not a suite item (\(error))")
            }
        }
    }

    /// The folder the items' image paths are relative to.
    public func imageRoot(in artifacts: ArtifactStore) throws -> String {
        URL(fileURLWithPath: try artifacts.path(of: file)).deletingLastPathComponent().path
    }
}
