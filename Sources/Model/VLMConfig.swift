import Foundation
import Tensor

/// The student VLM's architecture, stored as `config.json` (snake_case keys) beside its weights.
public struct VLMConfig: Sendable, Codable, Equatable {
    /// Square input image side in pixels; images are resized and padded to it.
    public var imageSize: Int
    /// Square patch side in pixels (`imageSize` must be a multiple).
    public var patchSize: Int
    /// Vision encoder width.
    public var visionDim: Int
    /// Vision encoder blocks.
    public var visionLayers: Int
    /// Vision encoder heads.
    public var visionHeads: Int
    /// Vision encoder MLP hidden width.
    public var visionMLP: Int
    /// Decoder width.
    public var decoderDim: Int
    /// Decoder blocks.
    public var decoderLayers: Int
    /// Decoder heads.
    public var decoderHeads: Int
    /// Decoder MLP hidden width.
    public var decoderMLP: Int
    /// Token vocabulary size (must match the tokenizer).
    public var vocabSize: Int
    /// Maximum positions in the decoder, image patches included.
    public var contextLength: Int
    /// Normalisation of the decoder (the vision encoder always uses LayerNorm, as ViTs do).
    public var norm: NormKind
    /// How the decoder knows positions (the vision encoder always learns its patch positions).
    public var positionEncoding: PositionEncoding

    /// How the decoder encodes positions; `config.json` key `position_encoding`, `learned` when absent (the files
    /// written before rotary positions existed).
    public enum PositionEncoding: String, Codable, Sendable {
        /// A learned vector per position added to the token embeddings (`pos_embeddings.weight`), as GPT-2.
        case learned
        /// Rotary embedding of queries and keys (base 10,000), as LLaMA: no position parameters, and attention
        /// patterns that depend on distances, which is what copying a named value from a caption needs.
        case rotary
    }

    /// The rotary base used with `.rotary`.
    public static let rotaryBase: Float = 10_000

    enum CodingKeys: String, CodingKey {
        case imageSize = "image_size", patchSize = "patch_size"
        case visionDim = "vision_dim", visionLayers = "vision_layers", visionHeads = "vision_heads"
        case visionMLP = "vision_mlp"
        case decoderDim = "decoder_dim", decoderLayers = "decoder_layers", decoderHeads = "decoder_heads"
        case decoderMLP = "decoder_mlp"
        case vocabSize = "vocab_size", contextLength = "context_length", norm
        case positionEncoding = "position_encoding"
    }

    /// Decodes a `config.json`; `position_encoding` may be absent (then `learned`).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(imageSize: try c.decode(Int.self, forKey: .imageSize), patchSize: try c.decode(Int.self, forKey: .patchSize),
                  visionDim: try c.decode(Int.self, forKey: .visionDim),
                  visionLayers: try c.decode(Int.self, forKey: .visionLayers),
                  visionHeads: try c.decode(Int.self, forKey: .visionHeads),
                  visionMLP: try c.decode(Int.self, forKey: .visionMLP),
                  decoderDim: try c.decode(Int.self, forKey: .decoderDim),
                  decoderLayers: try c.decode(Int.self, forKey: .decoderLayers),
                  decoderHeads: try c.decode(Int.self, forKey: .decoderHeads),
                  decoderMLP: try c.decode(Int.self, forKey: .decoderMLP),
                  vocabSize: try c.decode(Int.self, forKey: .vocabSize),
                  contextLength: try c.decode(Int.self, forKey: .contextLength),
                  norm: try c.decode(NormKind.self, forKey: .norm),
                  positionEncoding: try c.decodeIfPresent(PositionEncoding.self, forKey: .positionEncoding) ?? .learned)
    }

    /// A configuration from its fields (call `validate()` before building a model).
    public init(imageSize: Int, patchSize: Int, visionDim: Int, visionLayers: Int, visionHeads: Int, visionMLP: Int,
                decoderDim: Int, decoderLayers: Int, decoderHeads: Int, decoderMLP: Int, vocabSize: Int,
                contextLength: Int, norm: NormKind = .rms, positionEncoding: PositionEncoding = .learned) {
        self.imageSize = imageSize
        self.patchSize = patchSize
        self.visionDim = visionDim
        self.visionLayers = visionLayers
        self.visionHeads = visionHeads
        self.visionMLP = visionMLP
        self.decoderDim = decoderDim
        self.decoderLayers = decoderLayers
        self.decoderHeads = decoderHeads
        self.decoderMLP = decoderMLP
        self.vocabSize = vocabSize
        self.contextLength = contextLength
        self.norm = norm
        self.positionEncoding = positionEncoding
    }

    /// A test-sized model: 8x8 images in 4x4 patches, width 32, one vision and two decoder blocks.
    public static func tiny(vocabSize: Int) -> VLMConfig {
        VLMConfig(imageSize: 8, patchSize: 4, visionDim: 32, visionLayers: 1, visionHeads: 2, visionMLP: 64,
                  decoderDim: 32, decoderLayers: 2, decoderHeads: 2, decoderMLP: 64, vocabSize: vocabSize,
                  contextLength: 64)
    }

    /// The reference student: 64x64 images in 8x8 patches, vision d128x2, decoder d128x4, 4 heads, MLP 512.
    public static func reference(vocabSize: Int) -> VLMConfig {
        VLMConfig(imageSize: 64, patchSize: 8, visionDim: 128, visionLayers: 2, visionHeads: 4, visionMLP: 512,
                  decoderDim: 128, decoderLayers: 4, decoderHeads: 4, decoderMLP: 512, vocabSize: vocabSize,
                  contextLength: 512)
    }

    /// Image patches per image, which occupy the decoder's first positions.
    public var patchesPerImage: Int { (imageSize / patchSize) * (imageSize / patchSize) }

    /// Floats per flattened patch (RGB).
    public var patchValues: Int { patchSize * patchSize * 3 }

    /// Token positions left after the image prefix.
    public var textContext: Int { contextLength - patchesPerImage }

    /// Checks every field; the error names the first bad one.
    public func validate() throws(ModelError) {
        func positive(_ value: Int, _ name: String) throws(ModelError) {
            guard value > 0 else { throw .invalidConfig("\(name) must be positive, got \(value)") }
        }
        try positive(imageSize, "image_size")
        try positive(patchSize, "patch_size")
        try positive(visionDim, "vision_dim")
        try positive(visionLayers, "vision_layers")
        try positive(visionHeads, "vision_heads")
        try positive(visionMLP, "vision_mlp")
        try positive(decoderDim, "decoder_dim")
        try positive(decoderLayers, "decoder_layers")
        try positive(decoderHeads, "decoder_heads")
        try positive(decoderMLP, "decoder_mlp")
        try positive(vocabSize, "vocab_size")
        try positive(contextLength, "context_length")
        guard imageSize % patchSize == 0 else {
            throw .invalidConfig("image_size \(imageSize) must be a multiple of patch_size \(patchSize)")
        }
        guard visionDim % visionHeads == 0 else {
            throw .invalidConfig("vision_dim \(visionDim) must be a multiple of vision_heads \(visionHeads)")
        }
        guard decoderDim % decoderHeads == 0 else {
            throw .invalidConfig("decoder_dim \(decoderDim) must be a multiple of decoder_heads \(decoderHeads)")
        }
        guard positionEncoding != .rotary || (decoderDim / decoderHeads) % 2 == 0 else {
            throw .invalidConfig("rotary positions need an even head width (decoder_dim / decoder_heads)")
        }
        guard contextLength > patchesPerImage else {
            throw .invalidConfig("context_length \(contextLength) must exceed the \(patchesPerImage) image patches")
        }
    }

    /// Reads and validates a `config.json`.
    public static func load(from url: URL) throws -> VLMConfig {
        let config = try JSONDecoder().decode(VLMConfig.self, from: Data(contentsOf: url))
        try config.validate()
        return config
    }

    /// Writes the configuration as pretty, key-sorted JSON.
    public func save(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: url, options: .atomic)
    }
}
