import Artifacts
import Foundation
import Imaging

/// Brings the images rows name into a dataset folder being built, checking each on the way: the path must be a
/// plain relative path (no `..`, not absolute), must stay inside the source folder (a symlink that leads out is
/// refused), must name a file, and the file must decode with the project's PNG/JPEG codecs. A good image is copied
/// to the same relative path inside the destination; each path is checked and copied once however many rows name it.
struct ImageIntake {
    /// The folder image paths are relative to, as an artifact store (which does the confinement checks).
    private let source: ArtifactStore
    /// The folder being built; images land at `destination/<prefix><path>`.
    private let destination: String
    /// Prepended to each image's path in the destination (`images/` for imports, nothing for exports).
    private let prefix: String
    /// The outcome per source path: the destination path, or why the image is refused.
    private var seen: [String: Result<String, Refusal>] = [:]

    /// Why an image is refused, in words that say what to do.
    struct Refusal: Error, Equatable {
        let reason: String
    }

    /// Images copied so far.
    private(set) var copied = 0

    init(sourceRoot: String, destination: String, prefix: String) throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: sourceRoot, isDirectory: &isFolder), isFolder.boolValue else {
            throw DatasetIOError.missingImagesFolder(sourceRoot)
        }
        source = try ArtifactStore(root: sourceRoot)
        self.destination = destination
        self.prefix = prefix
    }

    /// Checks and copies the image at `path` (relative to the source folder); returns its path relative to the
    /// destination folder.
    mutating func take(_ path: String) -> Result<String, Refusal> {
        if let known = seen[path] { return known }
        let outcome = Result { () throws(Refusal) -> String in try bring(path) }
        seen[path] = outcome
        return outcome
    }

    private mutating func bring(_ path: String) throws(Refusal) -> String {
        let ref: ArtifactRef
        do {
            ref = try ArtifactRef(path)
        } catch let error as ArtifactError {
            if case .invalidRef(_, let reason) = error {
                // The store's words are about artifact refs; say it about image paths.
                let why = reason.replacingOccurrences(of: "; refs are relative to the artifacts root", with: "")
                throw Refusal(reason: "image path \"\(path)\" is refused: \(why); image paths must be relative to "
                    + "the images folder and stay inside it")
            }
            throw Refusal(reason: "image path \"\(path)\" is refused: \(error)")
        } catch {
            throw Refusal(reason: "image path \"\(path)\" is refused: \(error)")
        }
        let full: String
        do {
            full = try source.path(of: ref)
        } catch ArtifactError.escapesRoot(_, let resolved) {
            throw Refusal(reason: "image \"\(path)\" leads outside the images folder (to \(resolved)) through a "
                + "symlink; copy the file into the images folder instead")
        } catch {
            throw Refusal(reason: "image \"\(path)\" cannot be resolved: \(error)")
        }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: full, isDirectory: &isFolder) else {
            throw Refusal(reason: "missing image \(path) (looked in \(source.root))")
        }
        guard !isFolder.boolValue else { throw Refusal(reason: "image \(path) is a folder, not an image file") }
        let bytes: Data
        do {
            bytes = try source.read(ref)
        } catch {
            throw Refusal(reason: "image \(path) cannot be read: \(error)")
        }
        do {
            _ = try ImageFile.decode([UInt8](bytes), source: path)
        } catch {
            throw Refusal(reason: "\(error)")
        }
        let relative = prefix + ref.path
        let target = destination + "/" + relative
        do {
            try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            // No fsync per image: the whole folder is synced once before it is renamed into place.
            try bytes.write(to: URL(fileURLWithPath: target))
        } catch {
            throw Refusal(reason: "image \(path) cannot be copied to \(target): \(error.localizedDescription)")
        }
        copied += 1
        return relative
    }
}
