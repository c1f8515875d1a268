import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The artifacts volume: datasets, samples, pairs, checkpoints, evaluations, shared by every worker.
///
/// Every write is atomic and durable: bytes go to a temporary name in the destination's directory, are fsynced,
/// renamed into place, and the directory is fsynced, so a reader sees either nothing or the whole artifact, even
/// after a crash. Every ref is resolved inside the root: `..`, absolute paths and symlinks that lead out are refused.
public struct ArtifactStore: Sendable {
    /// The root directory, as given.
    public let root: String
    /// The root with symlinks resolved: resolved refs must stay below it.
    private let canonicalRoot: String

    /// Opens (and creates, if missing) an artifacts root.
    public init(root: String) throws {
        try FileSystem.makeDirectories(root)
        self.root = root
        self.canonicalRoot = try FileSystem.realPath(root)
    }

    /// The absolute path of a ref, after checking that it stays inside the root.
    public func path(of ref: ArtifactRef) throws -> String {
        let candidate = canonicalRoot + "/" + ref.path
        // Resolve the deepest part of the path that exists: a symlink anywhere along it shows up there.
        var existing = candidate
        while !FileSystem.exists(existing), existing != canonicalRoot {
            existing = (existing as NSString).deletingLastPathComponent
        }
        let resolved = try FileSystem.realPath(existing)
        guard resolved == canonicalRoot || resolved.hasPrefix(canonicalRoot + "/") else {
            throw ArtifactError.escapesRoot(ref: ref.path, resolved: resolved)
        }
        return candidate
    }

    /// Whether an artifact (file or directory) exists at the ref.
    public func exists(_ ref: ArtifactRef) throws -> Bool {
        FileSystem.exists(try path(of: ref))
    }

    /// Reads a whole file artifact.
    public func read(_ ref: ArtifactRef) throws -> Data {
        let path = try path(of: ref)
        guard FileSystem.exists(path) else { throw ArtifactError.notFound(ref: ref.path) }
        return try FileSystem.readFile(path)
    }

    /// Writes a file artifact atomically and durably, replacing what was there.
    public func write(_ data: Data, to ref: ArtifactRef) throws {
        let path = try path(of: ref)
        let directory = (path as NSString).deletingLastPathComponent
        try FileSystem.makeDirectories(directory)
        _ = try self.path(of: ref)  // the directories just made may not lead out either
        try FileSystem.writeDurably(data, to: path)
    }

    /// Writes bytes under `directory` named by their SHA-256 (`directory/<hex>.<ext>`), once: if the artifact already
    /// exists it is left as it is. Returns its ref.
    public func writeContentAddressed(_ data: Data, directory: String, fileExtension: String) throws -> ArtifactRef {
        let ref = try ArtifactRef("\(directory)/\(Self.sha256(data)).\(fileExtension)")
        if try !exists(ref) { try write(data, to: ref) }
        return ref
    }

    /// Reads a content-addressed artifact and checks that it still hashes to its name.
    public func readContentAddressed(_ ref: ArtifactRef) throws -> Data {
        let data = try read(ref)
        let expected = String(ref.name.prefix(while: { $0 != "." }))
        let actual = Self.sha256(data)
        guard expected == actual else { throw ArtifactError.hashMismatch(ref: ref.path, expected: expected, actual: actual) }
        return data
    }

    /// Builds a directory artifact (a checkpoint, a dataset) in a temporary directory next to its destination, then
    /// renames it into place, so the directory appears whole or not at all. `build` receives the temporary path and
    /// writes the files. If the destination exists it is replaced.
    public func writeDirectory(_ ref: ArtifactRef, build: (String) throws -> Void) throws {
        let destination = try path(of: ref)
        let parent = (destination as NSString).deletingLastPathComponent
        try FileSystem.makeDirectories(parent)
        let temporary = parent + "/.tmp-\(UUID().uuidString)-" + ref.name
        try FileSystem.makeDirectories(temporary)
        do {
            try build(temporary)
            try FileSystem.syncTree(temporary)
            if FileSystem.exists(destination) {
                let retired = parent + "/.old-\(UUID().uuidString)-" + ref.name
                try FileSystem.rename(destination, to: retired)
                try FileSystem.rename(temporary, to: destination)
                try? FileManager.default.removeItem(atPath: retired)
            } else {
                try FileSystem.rename(temporary, to: destination)
            }
            try FileSystem.syncDirectory(parent)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
    }

    /// The refs of the entries directly inside a directory artifact, sorted; temporary entries are not listed.
    public func list(_ ref: ArtifactRef) throws -> [ArtifactRef] {
        let path = try path(of: ref)
        guard FileSystem.exists(path) else { throw ArtifactError.notFound(ref: ref.path) }
        let names = try FileManager.default.contentsOfDirectory(atPath: path)
        return try names.filter { !$0.hasPrefix(".tmp-") && !$0.hasPrefix(".old-") }.sorted().map { try ref.appending($0) }
    }

    /// The lowercase hex SHA-256 of some bytes: the content hash used for checkpoints and caches.
    public static func sha256(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}
