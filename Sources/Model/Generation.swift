import Foundation
import Imaging
import Synchronization
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
    /// The request's own sampling seed: its sample `j` then draws from a stream of (`seed`, `j`) alone, whatever
    /// other requests share the call (a chain then depends on its item, not on its shard). Nil: the call's seed and
    /// the request's index in the call.
    public var seed: UInt64?

    /// A request from placeholder-free prompt tokens.
    public init(image: RGBImage, promptTokens: [Int], samples: Int = 1, firstSample: Int = 0, seed: UInt64? = nil) {
        self.image = image
        self.promptTokens = promptTokens
        self.samples = samples
        self.firstSample = firstSample
        self.seed = seed
    }

    /// A request from a generation encoding (`ChatTemplate.encodeForGeneration`) with one `<image>` marker.
    public init(image: RGBImage, prompt: EncodedConversation, samples: Int = 1, firstSample: Int = 0,
                seed: UInt64? = nil) throws(ModelError) {
        self.init(image: image, promptTokens: try VLMExample(image: image, encoded: prompt).tokens, samples: samples,
                  firstSample: firstSample, seed: seed)
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
    /// prefix and prompt of every request once; its samples then share that prompt's keys and values (read in place,
    /// `KVCache(sharingPrefixOf:)`) and decode one token per step, all samples of all its requests together; a
    /// sample that stops leaves the batch. Batches of consecutive requests (`samplesPerShard` samples each, whatever
    /// the cores) run on separate cores. Returns, per request, its samples.
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
            let samples = members.reduce(0) { $0 + requests[$1].samples }
            let shards = Self.shards(members, samples: { requests[$0].samples },
                                     count: (samples + Self.samplesPerShard - 1) / Self.samplesPerShard)
            let outputs = Mutex([[[GeneratedSequence]]](repeating: [], count: shards.count))
            let model = ReadOnlyModel(model: self)
            // Each shard decodes on its own tape and caches; the weights are only read.
            Parallelism.forEachSingleThreadedBLAS(shards.count) { s in
                let output = model.model.decode(requests, members: shards[s], promptLength: length, options: options)
                outputs.withLock { $0[s] = output }
            }
            for (members, output) in zip(shards, outputs.withLock { $0 }) {
                for (member, samples) in zip(members, output) { results[member] = samples }
            }
        }
        return results
    }

    /// Samples per decoding shard. Shards are cut by this fixed size, not by the cores: a chain's batch mates change
    /// the last bits of its batched GEMMs, so cutting by the cores would make chains depend on the machine.
    static let samplesPerShard = 128

    /// `members` cut into at most `count` consecutive shards holding about the same number of samples each.
    static func shards(_ members: [Int], samples: (Int) -> Int, count: Int) -> [[Int]] {
        let total = members.reduce(0) { $0 + samples($1) }, parts = max(1, min(count, members.count))
        var shards: [[Int]] = [[]], done = 0
        for member in members {
            if !shards[shards.count - 1].isEmpty && shards.count < parts && done * parts >= total * shards.count {
                shards.append([])
            }
            shards[shards.count - 1].append(member)
            done += samples(member)
        }
        return shards
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
        if budget > 0 { tapes.withTape(parameters) { tape in
            // Prefill: image and prompt once per request; its last position gives each of its samples' first logits.
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
            var caches = prompts.map { KVCache(sharingPrefixOf: $0, rows: rows.map(\.slot), capacity: budget) }
            var rngs = rows.map { row in
                SplitMix64(seed: requests[row.request].seed.map { Self.streamSeed($0, 0, row.sample) }
                    ?? Self.streamSeed(options.seed, row.request, row.sample))
            }
            // The rows still decoding, in cache order; logits has one row of `v` per entry.
            var active = Array(0..<batch)
            var step = 0
            while step < budget {
                var next = [Int32](), continuing = [Int]()
                for (a, row) in active.enumerated() {
                    let token = logits.withUnsafeBufferPointer {
                        TokenSampler.sample(UnsafeBufferPointer(rebasing: $0[(a * v)..<((a + 1) * v)]),
                                            options: options.sampling, rng: &rngs[row])
                    }
                    if options.stopTokens.contains(token) {
                        outputs[row].stopped = true
                    } else {
                        outputs[row].tokens.append(token)
                        next.append(Int32(token))
                        continuing.append(a)
                    }
                }
                step += 1
                guard !continuing.isEmpty, step < budget else { break }
                if continuing.count < active.count {  // finished chains leave the batch
                    caches = caches.map { $0.keeping(rows: continuing) }
                    active = continuing.map { active[$0] }
                }
                tape.reset()
                logits = tape.array(decoder(tape, ids: next, batch: active.count, length: 1, caches: caches))
            }
        } }
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
