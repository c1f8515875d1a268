import Imaging
import Tensor
import Tokenization

/// Limits and stopping of a generation.
public struct GenerationOptions: Sendable, Equatable {
    /// How tokens are chosen.
    public var sampling: SamplingOptions
    /// At most this many new tokens per sequence (fewer if the context fills up).
    public var maxNewTokens: Int
    /// Tokens that end a sequence (e.g. `<|end|>` and `<|eos|>`); not included in the output.
    public var stopTokens: Set<Int>
    /// Seed of the sampler; sample `i` of a prompt uses its own stream, so results do not depend on batching.
    public var seed: UInt64

    /// Options.
    public init(sampling: SamplingOptions = .greedy, maxNewTokens: Int, stopTokens: Set<Int>, seed: UInt64 = 0) {
        self.sampling = sampling
        self.maxNewTokens = maxNewTokens
        self.stopTokens = stopTokens
        self.seed = seed
    }

    /// Stops on the template's `<|end|>` and, if the tokenizer has one, `<|eos|>`.
    public static func stoppingAtEndOfTurn(_ template: ChatTemplate, sampling: SamplingOptions = .greedy,
                                           maxNewTokens: Int, seed: UInt64 = 0) -> GenerationOptions {
        var stops: Set<Int> = [template.endOfTurnID]
        if let eos = template.tokenizer.id(of: .eos) { stops.insert(eos) }
        return GenerationOptions(sampling: sampling, maxNewTokens: maxNewTokens, stopTokens: stops, seed: seed)
    }
}

/// One generated continuation.
public struct GeneratedSequence: Sendable, Equatable {
    /// New tokens, without the stop token.
    public var tokens: [Int]
    /// True if a stop token ended it, false if it hit `maxNewTokens` or the context length.
    public var stopped: Bool
}

extension StudentVLM {
    /// `samples` continuations of one prompt (a generation encoding with one `<|image|>` placeholder), decoded
    /// together as a batch with key/value caches.
    public func generate(image: RGBImage, prompt: EncodedConversation, samples: Int = 1,
                         options: GenerationOptions) throws(ModelError) -> [GeneratedSequence] {
        let example = try VLMExample(image: image, encoded: prompt)
        return try generate(image: image, promptTokens: example.tokens, samples: samples, options: options)
    }

    /// `samples` continuations of placeholder-free `promptTokens` after `image`.
    ///
    /// The prompt runs once per row (the caches are per row and cannot yet be copied between rows, so the shared
    /// prefix is recomputed `samples` times in one batched step); then one token per step for every live row.
    public func generate(image: RGBImage, promptTokens: [Int], samples: Int = 1,
                         options: GenerationOptions) throws(ModelError) -> [GeneratedSequence] {
        guard samples > 0 else { throw .invalidInput("samples must be positive, got \(samples)") }
        guard !promptTokens.isEmpty else { throw .invalidInput("empty prompt; encode it with encodeForGeneration") }
        guard promptTokens.allSatisfy({ $0 >= 0 && $0 < config.vocabSize }) else {
            throw .invalidInput("prompt has a token outside the vocabulary of \(config.vocabSize)")
        }
        return try decode(image, promptTokens, samples, options)
    }

    private func decode(_ image: RGBImage, _ promptTokens: [Int], _ samples: Int,
                        _ options: GenerationOptions) throws(ModelError) -> [GeneratedSequence] {
        let p = config.patchesPerImage, d = config.decoderDim, v = config.vocabSize
        guard p + promptTokens.count < config.contextLength else {
            throw .invalidInput("prompt of \(promptTokens.count) tokens + \(p) image patches leaves no room in "
                                + "context \(config.contextLength)")
        }
        let budget = min(options.maxNewTokens, config.contextLength - p - promptTokens.count)
        let tape = Tape(parameters: parameters)
        let features = tape.array(imageFeatures(tape, images: [image]))
        tape.reset()
        let caches = decoder.makeCaches(batch: samples)
        var rngs = (0..<samples).map { SplitMix64(seed: options.seed &+ UInt64($0) &* 0x9E37_79B9_7F4A_7C15) }
        var outputs = [GeneratedSequence](repeating: GeneratedSequence(tokens: [], stopped: false), count: samples)
        var live = [Bool](repeating: true, count: samples)
        // Step 0: image prefix + prompt for every row; later steps: each row's last token.
        let prefix = tape.input(Array([[Float]](repeating: features, count: samples).joined()),
                                shape: Shape(samples, p, d))
        var logits = tape.array(decoder(tape, ids: Array([[Int32]](repeating: promptTokens.map { Int32($0) },
                                                                    count: samples).joined()),
                                        batch: samples, length: promptTokens.count, prefix: prefix, caches: caches))
        var rowLength = p + promptTokens.count
        var step = 0
        while step < budget {
            var next = [Int32](repeating: 0, count: samples)
            for row in 0..<samples where live[row] {
                let start = (row * rowLength + rowLength - 1) * v
                let token = TokenSampler.sample(Array(logits[start..<(start + v)]), options: options.sampling,
                                                rng: &rngs[row])
                if options.stopTokens.contains(token) {
                    outputs[row].stopped = true
                    live[row] = false
                } else {
                    outputs[row].tokens.append(token)
                    next[row] = Int32(token)
                }
            }
            step += 1
            guard live.contains(true), step < budget else { break }
            tape.reset()
            logits = tape.array(decoder(tape, ids: next, batch: samples, length: 1, caches: caches))
            rowLength = 1
        }
        return outputs
    }
}
