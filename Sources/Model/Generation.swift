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
    /// Seed of the sampler; sample `j` of request `i` draws from its own stream derived from (seed, i, j), so
    /// results do not depend on how requests are grouped into batches.
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

/// One prompt to continue: an image, its placeholder-free prompt tokens and how many samples to draw.
public struct GenerationRequest: Sendable, Equatable {
    /// The image, fed as the decoder's prefix.
    public var image: RGBImage
    /// Prompt tokens without the `<|image|>` placeholder (ending with the assistant header).
    public var promptTokens: [Int]
    /// Continuations to draw.
    public var samples: Int
    /// Index of the first sample: the samples are numbered `firstSample ..< firstSample + samples`, and sample `j`
    /// draws from the seed stream of `j`, so chains 16–31 of a prompt can be drawn apart from chains 0–15.
    public var firstSample: Int

    /// A request from placeholder-free prompt tokens.
    public init(image: RGBImage, promptTokens: [Int], samples: Int = 1, firstSample: Int = 0) {
        self.image = image
        self.promptTokens = promptTokens
        self.samples = samples
        self.firstSample = firstSample
    }

    /// A request from a generation encoding (`ChatTemplate.encodeForGeneration`) with one `<image>` marker.
    public init(image: RGBImage, prompt: EncodedConversation, samples: Int = 1, firstSample: Int = 0)
        throws(ModelError) {
        self.init(image: image, promptTokens: try VLMExample(image: image, encoded: prompt).tokens, samples: samples,
                  firstSample: firstSample)
    }
}

extension StudentVLM {
    /// `samples` continuations of one prompt (a generation encoding with one `<|image|>` placeholder).
    public func generate(image: RGBImage, prompt: EncodedConversation, samples: Int = 1,
                         options: GenerationOptions) throws(ModelError) -> [GeneratedSequence] {
        try generate([GenerationRequest(image: image, prompt: prompt, samples: samples)], options: options)[0]
    }

    /// Continuations of many requests, decoded with key/value caches. Requests whose prompts have the same length
    /// share one batch (every row then has the same positions, which the caches need). Each batch runs the image
    /// prefix and prompt of every request once, copies that request's cache rows to each of its samples, then
    /// decodes one token per step for all samples of all its requests together. Returns, per request, its samples.
    public func generate(_ requests: [GenerationRequest],
                         options: GenerationOptions) throws(ModelError) -> [[GeneratedSequence]] {
        let p = config.patchesPerImage
        for request in requests {
            guard request.samples > 0 else { throw .invalidInput("samples must be positive, got \(request.samples)") }
            guard request.firstSample >= 0 else {
                throw .invalidInput("firstSample must be >= 0, got \(request.firstSample)")
            }
            guard !request.promptTokens.isEmpty else {
                throw .invalidInput("empty prompt; encode it with encodeForGeneration")
            }
            guard request.promptTokens.allSatisfy({ $0 >= 0 && $0 < config.vocabSize }) else {
                throw .invalidInput("prompt has a token outside the vocabulary of \(config.vocabSize)")
            }
            guard p + request.promptTokens.count < config.contextLength else {
                throw .invalidInput("prompt of \(request.promptTokens.count) tokens + \(p) image patches leaves no "
                                    + "room in context \(config.contextLength)")
            }
        }
        var results = [[GeneratedSequence]](repeating: [], count: requests.count)
        let groups = Dictionary(grouping: requests.indices, by: { requests[$0].promptTokens.count })
        for length in groups.keys.sorted() {
            let members = groups[length]!
            let outputs = decode(requests, members: members, promptLength: length, options: options)
            for (member, output) in zip(members, outputs) { results[member] = output }
        }
        return results
    }

    /// Decodes the requests `members` (indices into `requests`), whose prompts all have `promptLength` tokens:
    /// one prefill of `members.count` rows, then every sample of every member as its own row. Returns each member's
    /// samples.
    private func decode(_ requests: [GenerationRequest], members: [Int], promptLength: Int,
                        options: GenerationOptions) -> [[GeneratedSequence]] {
        let p = config.patchesPerImage, v = config.vocabSize
        let rows = members.enumerated().flatMap { slot, i in
            (0..<requests[i].samples).map { (slot: slot, request: i, sample: requests[i].firstSample + $0) }
        }
        let batch = rows.count, prefixLength = p + promptLength
        let budget = min(options.maxNewTokens, config.contextLength - prefixLength)
        var outputs = [GeneratedSequence](repeating: GeneratedSequence(tokens: [], stopped: false), count: batch)
        if budget > 0 {
            // Prefill: image and prompt once per request; its last position gives each of its samples' first logits.
            let tape = Tape(parameters: parameters)
            let prompts = decoder.makeCaches(batch: members.count, capacity: prefixLength)
            let prefill = tape.value(decoder(tape, ids: members.flatMap { requests[$0].promptTokens.map(Int32.init) },
                                             batch: members.count, length: promptLength,
                                             prefix: imageFeatures(tape, images: members.map { requests[$0].image }),
                                             caches: prompts))
            var logits = [Float](repeating: 0, count: batch * v)
            for (r, row) in rows.enumerated() {
                let start = ((row.slot + 1) * prefixLength - 1) * v
                for j in 0..<v { logits[r * v + j] = prefill[start + j] }
            }
            let caches = prompts.map { KVCache(gathering: rows.map(\.slot), from: $0, capacity: prefixLength + budget) }
            var rngs = rows.map { SplitMix64(seed: Self.streamSeed(options.seed, $0.request, $0.sample)) }
            var live = [Bool](repeating: true, count: batch)
            var step = 0
            while step < budget {
                var next = [Int32](repeating: 0, count: batch)
                for row in 0..<batch where live[row] {
                    let token = TokenSampler.sample(Array(logits[(row * v)..<((row + 1) * v)]),
                                                    options: options.sampling, rng: &rngs[row])
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
                logits = tape.array(decoder(tape, ids: next, batch: batch, length: 1, caches: caches))
            }
        }
        var perMember = [[GeneratedSequence]](repeating: [], count: members.count)
        for (row, output) in zip(rows, outputs) { perMember[row.slot].append(output) }
        return perMember
    }

    /// The sampler seed of sample `sample` of request `request`: distinct, well-mixed streams per row.
    static func streamSeed(_ seed: UInt64, _ request: Int, _ sample: Int) -> UInt64 {
        var mixer = SplitMix64(seed: seed ^ (UInt64(request) &* 0xD1B5_4A32_D192_ED03))
        return mixer.next() &+ UInt64(sample) &* 0x9E37_79B9_7F4A_7C15
    }
}
