import Artifacts
import Foundation
import Model
import Tokenization

/// A student checkpoint from the artifacts volume, ready to generate or score: the model, its tokenizer and chat
/// template. A checkpoint that is missing or does not load can never be used: ``HandlerError/permanent(_:)``.
public struct StudentLoading {
    /// The model.
    public let model: StudentVLM
    /// Its tokenizer.
    public let tokenizer: Tokenizer
    /// Its chat template.
    public let template: ChatTemplate

    /// Loads the checkpoint folder `ref`.
    public static func load(_ ref: ArtifactRef, from artifacts: ArtifactStore) throws -> StudentLoading {
        let path = try artifacts.path(of: ref)
        guard FileManager.default.fileExists(atPath: path + "/" + StudentCheckpoint.configFile) else {
            throw HandlerError.permanent("no student checkpoint at \(ref) (no \(StudentCheckpoint.configFile))")
        }
        let loaded: StudentCheckpoint.Loaded
        do {
            loaded = try StudentCheckpoint.load(from: URL(fileURLWithPath: path))
        } catch {
            throw HandlerError.permanent("the checkpoint at \(ref) does not load: \(error)")
        }
        return StudentLoading(model: loaded.model, tokenizer: loaded.tokenizer,
                              template: try ChatTemplate(tokenizer: loaded.tokenizer))
    }
}
