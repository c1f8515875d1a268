import Artifacts
import Foundation

/// Teacher responses kept in the artifacts volume under their content address (``TeacherCacheKey``): a rerun or a
/// resumed batch pays for no call twice, and every distiller on the volume shares the cache.
public struct TeacherCache: Sendable {
    /// A cached answer.
    public struct Entry: Codable, Sendable, Equatable {
        /// The assistant's text.
        public var text: String
        /// The usage the call cost when it was made.
        public var usage: Usage?
    }

    private let artifacts: ArtifactStore
    private let directory: String

    /// A cache under `directory` (default `teacher-cache`) of the artifacts volume.
    public init(artifacts: ArtifactStore, directory: String = "teacher-cache") {
        self.artifacts = artifacts
        self.directory = directory
    }

    /// The cached answer for `key`, if any (an unreadable entry counts as a miss).
    public func lookup(_ key: String) -> Entry? {
        guard let ref = try? ArtifactRef("\(directory)/\(key.prefix(2))/\(key).json"),
              let data = try? artifacts.read(ref) else { return nil }
        return try? JSONDecoder().decode(Entry.self, from: data)
    }

    /// Stores an answer under `key`, atomically.
    public func store(_ entry: Entry, key: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try artifacts.write(try encoder.encode(entry), to: try ArtifactRef("\(directory)/\(key.prefix(2))/\(key).json"))
    }
}
