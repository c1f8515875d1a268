import Artifacts
import Foundation
import Model

/// The models shipped in the repository's `models/` folder (`reasoner base train` makes them) and their place in
/// the artifacts volume, where runs read them: the shipped base `models/<name>/` is copied into the volume under
/// the same ref, once, checked against its pinned content hash.
public enum ShippedModels {
    /// The base every run starts from unless its document names another checkpoint.
    public static let defaultBase = "reasoner-base-v1"

    /// The artifacts ref of a shipped model.
    public static func ref(_ name: String) -> String { "models/\(name)" }

    /// The SHA-256 of each shipped model's `model.safetensors`: a model that does not hash to its pin is refused, so
    /// a run never starts from weights other than the ones its card describes.
    public static let pinnedHashes: [String: String] = [
        "reasoner-base-v1": "4d6ab3362c50217bf2e2d0436942f5c2db89dbaf13032462275d4b659cc9c49b",
    ]

    /// The folders searched for shipped models: `REASONER_MODELS`, the `models/` folder of the source tree this
    /// binary was built from, and `/usr/share/reasoner/models` (the compose image's copy).
    public static func searchPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> [URL] {
        var folders: [URL] = []
        if let custom = environment["REASONER_MODELS"], !custom.isEmpty { folders.append(URL(fileURLWithPath: custom)) }
        let sourceTree = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        folders.append(sourceTree.appendingPathComponent("models"))
        folders.append(URL(fileURLWithPath: "/usr/share/reasoner/models"))
        return folders
    }

    /// The folder of shipped model `name`, if one of the search folders has it.
    public static func locate(_ name: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> URL? {
        searchPath(environment: environment).map { $0.appendingPathComponent(name) }.first {
            FileManager.default.fileExists(atPath: $0.appendingPathComponent(StudentCheckpoint.weightsFile).path)
        }
    }

    /// The shipped model's name if `ref` is the ref of one of `pins` (`models/<name>`), else nil.
    public static func shippedName(ofRef ref: String, pins: [String: String] = pinnedHashes) -> String? {
        let parts = ref.split(separator: "/")
        guard parts.count == 2, parts[0] == "models", pins[String(parts[1])] != nil else { return nil }
        return String(parts[1])
    }

    /// Makes sure the artifacts volume holds the shipped model `ref` names (when it names one): copies it from the
    /// search path if missing, and checks the copy's hash against the pin either way.
    public static func install(ref: String, into store: ArtifactStore,
                               environment: [String: String] = ProcessInfo.processInfo.environment,
                               pins: [String: String] = pinnedHashes) throws {
        guard let name = shippedName(ofRef: ref, pins: pins), let pin = pins[name] else { return }
        let target = try ArtifactRef(ref)
        if try !store.exists(target.appending(StudentCheckpoint.weightsFile)) {
            guard let source = locate(name, environment: environment) else {
                throw ShippedModelError.notFound(name: name, searched: searchPath(environment: environment).map(\.path))
            }
            try store.writeDirectory(target) { temporary in
                for file in try FileManager.default.contentsOfDirectory(atPath: source.path) {
                    try FileManager.default.copyItem(atPath: source.appendingPathComponent(file).path,
                                                     toPath: temporary + "/" + file)
                }
            }
        }
        let actual = try StudentCheckpoint.contentHash(of: URL(fileURLWithPath: try store.path(of: target)))
        guard actual == pin else { throw ShippedModelError.hashMismatch(name: name, pinned: pin, actual: actual) }
    }
}

/// Why a shipped model cannot be used.
public enum ShippedModelError: Error, Equatable, CustomStringConvertible {
    /// No search folder has the model.
    case notFound(name: String, searched: [String])
    /// The weights do not hash to the pin.
    case hashMismatch(name: String, pinned: String, actual: String)

    public var description: String {
        switch self {
        case let .notFound(name, searched):
            "the shipped model \(name) is in none of \(searched.joined(separator: ", ")); set REASONER_MODELS to the "
                + "repository's models folder, or name another checkpoint in student.checkpoint"
        case let .hashMismatch(name, pinned, actual):
            "models/\(name)/model.safetensors hashes to \(actual), not to its pin \(pinned); restore the file "
                + "(git checkout models/\(name)) or re-create it with `reasoner base train`"
        }
    }
}
