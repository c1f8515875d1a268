import Model

/// The student sizes a run can use.
public enum ModelScale: String, Codable, Sendable {
    /// `VLMConfig.reference`: 64×64 images, vision d128×2, decoder d128×4.
    case reference
    /// `VLMConfig.tiny`: 8×8 images, width 32 — for tests of the pipeline, not of learning.
    case tiny

    /// The architecture at this scale for a tokenizer's vocabulary and a decoder context (image patches included).
    public func config(vocabularySize: Int, contextLength: Int) -> VLMConfig {
        var config = self == .tiny ? VLMConfig.tiny(vocabSize: vocabularySize)
                                   : VLMConfig.reference(vocabSize: vocabularySize)
        config.contextLength = contextLength
        return config
    }
}
