import Imaging
import Tensor

/// The LLaVA-shaped student: a ViT (`vision.*` parameters) whose projected patch embeddings are a prefix of a
/// decoder-only LM (`tok_embeddings`, `pos_embeddings` unless positions are rotary, `layers.i.*`, `norm`, `lm_head`
/// — the Tensor layers' names, which are the checkpoint keys).
///
/// Holds its `ParameterStore` (raw buffers mutated in place by the optimiser), so one training or decoding loop owns
/// a model at a time; hence not `Sendable`.
public final class StudentVLM {
    /// The architecture.
    public let config: VLMConfig
    /// All weights.
    public let parameters: ParameterStore
    /// Image encoder and projector to the decoder width.
    public let vision: VisionEncoder
    /// The language model.
    public let decoder: DecoderLM
    /// Image resizing and normalisation.
    public let preprocessor: ImagePreprocessor
    /// Inference tapes reused across generation and scoring calls.
    let tapes = TapePool()

    /// A freshly initialised model; the same `seed` gives the same weights.
    public init(config: VLMConfig, seed: UInt64) throws(ModelError) {
        try config.validate()
        self.config = config
        let store = ParameterStore()
        var rng = SplitMix64(seed: seed)
        let vc = TransformerConfiguration(dModel: config.visionDim, heads: config.visionHeads,
                                          mlpHidden: config.visionMLP, layers: config.visionLayers, norm: .layer,
                                          causal: false, bias: true)
        vision = VisionEncoder(store, prefix: "vision.", vc, patches: config.patchesPerImage,
                               patchValues: config.patchValues, outDim: config.decoderDim, rng: &rng)
        let dc = TransformerConfiguration(dModel: config.decoderDim, heads: config.decoderHeads,
                                          mlpHidden: config.decoderMLP, layers: config.decoderLayers,
                                          norm: config.norm,
                                          rotaryBase: config.positionEncoding == .rotary ? VLMConfig.rotaryBase : nil)
        decoder = DecoderLM(store, dc, vocab: config.vocabSize, context: config.contextLength, seed: rng.next())
        parameters = store
        preprocessor = ImagePreprocessor(size: config.imageSize)
    }

    /// Flattened patches `[B, patches, patchValues]` of the preprocessed images, as a tape input.
    public func patches(_ tape: Tape, images: [RGBImage]) -> Tensor {
        let s = config.imageSize
        let pixels = images.flatMap { preprocessor.pixels($0) }
        let flat = VisionEncoder.patchify(pixels, batch: images.count, height: s, width: s, channels: 3,
                                          patch: config.patchSize)
        return tape.input(flat, shape: Shape(images.count, config.patchesPerImage, config.patchValues))
    }

    /// Projected image features `[B, patches, decoderDim]`. The vision encoder runs once per distinct image (several
    /// chains or a DPO pair of one question share theirs); the rows are then gathered, gradients included.
    public func imageFeatures(_ tape: Tape, images: [RGBImage]) -> Tensor {
        var distinct: [RGBImage] = [], slots: [ImageKey: Int32] = [:]
        let index = images.map { image in
            let key = ImageKey(image)
            if let slot = slots[key] { return slot }
            distinct.append(image)
            slots[key] = Int32(distinct.count - 1)
            return Int32(distinct.count - 1)
        }
        let features = vision(tape, patches(tape, images: distinct))
        guard distinct.count < images.count else { return features }
        let width = config.patchesPerImage * config.decoderDim
        let rows = tape.embedding(tape.reshape(features, Shape(distinct.count, width)), ids: index,
                                  shape: Shape(images.count))
        return tape.reshape(rows, Shape(images.count, config.patchesPerImage, config.decoderDim))
    }

    /// The examples padded into one batch: logits over `[B, patches + T, vocab]` and the per-row next-token targets
    /// and mask (row `patches - 1 + j` predicts text token `j`; padding and the last row are masked out).
    public func forward(_ tape: Tape, _ examples: [VLMExample]) throws(ModelError)
        -> (logits: Tensor, targets: [Int32], mask: [Float]) {
        guard !examples.isEmpty else { throw .invalidInput("empty batch") }
        let p = config.patchesPerImage
        let length = examples.map(\.tokens.count).max()!
        guard length >= 1, p + length <= config.contextLength else {
            throw .invalidInput("\(length) text tokens + \(p) image patches exceed context \(config.contextLength)"
                                + "; truncate the conversation or raise context_length")
        }
        var ids = [Int32](repeating: 0, count: examples.count * length)
        var targets = [Int32](repeating: 0, count: examples.count * (p + length))
        var mask = [Float](repeating: 0, count: targets.count)
        for (b, example) in examples.enumerated() {
            for (j, token) in example.tokens.enumerated() {
                guard token >= 0 && token < config.vocabSize else {
                    throw .invalidInput("token \(token) outside the vocabulary of \(config.vocabSize)")
                }
                ids[b * length + j] = Int32(token)
                let row = b * (p + length) + p - 1 + j
                targets[row] = Int32(token)
                mask[row] = example.lossMask[j] ? 1 : 0
            }
        }
        let logits = decoder(tape, ids: ids, batch: examples.count, length: length,
                             prefix: imageFeatures(tape, images: examples.map(\.image)))
        return (logits, targets, mask)
    }

    /// Mean masked next-token cross-entropy of a batch (`[1]`, differentiable): the SFT loss.
    public func loss(_ tape: Tape, _ examples: [VLMExample]) throws(ModelError) -> Tensor {
        let f = try forward(tape, examples)
        return tape.crossEntropy(f.logits, targets: f.targets, mask: f.mask)
    }

    /// Per-example sum of log-probabilities of the masked tokens (`[B]`, differentiable): with examples built by
    /// `VLMExample(image:prompt:response:)`, the log-probability of each response given its prompt (DPO, verifier).
    public func sequenceLogProbs(_ tape: Tape, _ examples: [VLMExample]) throws(ModelError) -> Tensor {
        let f = try forward(tape, examples)
        return tape.sequenceLogProbs(f.logits, targets: f.targets, mask: f.mask)
    }
}

/// An image's identity for sharing its features: size and pixels.
struct ImageKey: Hashable {
    let width: Int
    let height: Int
    let pixels: [UInt8]

    init(_ image: RGBImage) {
        width = image.width
        height = image.height
        pixels = image.pixels
    }

    /// Hashes the pixels as one block of bytes (byte by byte showed up in the scoring profile).
    func hash(into hasher: inout Hasher) {
        hasher.combine(width)
        hasher.combine(height)
        pixels.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}
