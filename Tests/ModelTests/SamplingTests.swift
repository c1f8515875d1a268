import Model
import Tokenization
import Tensor
import Testing

/// The next-token sampler and decoding with the KV cache.
@Suite struct SamplingTests {
    let logits: [Float] = [2.0, 0.5, 1.0, -1.0, 1.5]

    @Test func temperatureZeroIsArgmax() {
        var rng = SplitMix64(seed: 1)
        #expect(TokenSampler.sample(logits, options: .greedy, rng: &rng) == 0)
        #expect(TokenSampler.argmax([1, 3, 3, 2]) == 1)
    }

    @Test func topPKeepsTheSmallestSetReachingItsMass() {
        let full = TokenSampler.distribution(logits, options: SamplingOptions(temperature: 1))
        #expect(full.map(\.token) == [0, 4, 2, 1, 3])
        #expect(abs(full.map(\.probability).reduce(0, +) - 1) < 1e-5)
        for topP: Float in [0.3, 0.5, 0.7, 0.9, 0.99] {
            let kept = TokenSampler.distribution(logits, options: SamplingOptions(temperature: 1, topP: topP))
            let keptMass = full.prefix(kept.count).map(\.probability).reduce(0, +)
            let withoutLast = full.prefix(kept.count - 1).map(\.probability).reduce(0, +)
            #expect(keptMass >= topP - 1e-6, "top-p \(topP) keeps mass \(keptMass)")
            #expect(withoutLast < topP, "top-p \(topP) keeps one token too many")
            #expect(abs(kept.map(\.probability).reduce(0, +) - 1) < 1e-5)
        }
        #expect(TokenSampler.distribution(logits, options: SamplingOptions(topP: 0.01)).map(\.token) == [0])
    }

    @Test func topKLimitsCandidatesAndSamplesStayInside() {
        let options = SamplingOptions(temperature: 2, topK: 2)
        #expect(TokenSampler.distribution(logits, options: options).map(\.token) == [0, 4])
        var rng = SplitMix64(seed: 9)
        var seen = Set<Int>()
        for _ in 0..<200 { seen.insert(TokenSampler.sample(logits, options: options, rng: &rng)) }
        #expect(seen == [0, 4])
    }

    @Test(arguments: [VLMConfig.PositionEncoding.learned, .rotary])
    func generationIsGreedyAtTemperatureZeroAndReproducibleBySeed(positions: VLMConfig.PositionEncoding) throws {
        var config = Fixtures.tinyConfig
        config.positionEncoding = positions
        let model = try StudentVLM(config: config, seed: 11)
        let image = Fixtures.image((10, 200, 10)), prompt = try Fixtures.prompt()
        let greedy = try model.generate(image: image, prompt: prompt,
                                        options: GenerationOptions(maxNewTokens: 6, stopTokens: []))
        let coldSampled = try model.generate(image: image, prompt: prompt, samples: 3, options: GenerationOptions(
            sampling: SamplingOptions(temperature: 0, topK: 5), maxNewTokens: 6, stopTokens: [], seed: 4))
        #expect(greedy[0].tokens.count == 6 && !greedy[0].stopped)
        #expect(coldSampled.allSatisfy { $0 == greedy[0] })
        // Greedy decoding with the cache agrees with the argmax of a full forward pass.
        let example = try VLMExample(image: image, encoded: prompt)
        let tape = Tape(parameters: model.parameters)
        let full = try model.forward(tape, [VLMExample(image: image, tokens: example.tokens + greedy[0].tokens,
                                                       lossMask: Array(repeating: false,
                                                                       count: example.tokens.count + 6))])
        let values = tape.array(full.logits), v = Fixtures.tinyConfig.vocabSize, p = Fixtures.tinyConfig.patchesPerImage
        for (i, token) in greedy[0].tokens.enumerated() {
            let row = p + example.tokens.count - 1 + i
            #expect(TokenSampler.argmax(values[(row * v)..<((row + 1) * v)]) == token, "\(positions) token \(i)")
        }
        let options = GenerationOptions(sampling: SamplingOptions(temperature: 1.5), maxNewTokens: 8,
                                        stopTokens: [], seed: 77)
        let a = try model.generate(image: image, prompt: prompt, samples: 4, options: options)
        let b = try model.generate(image: image, prompt: prompt, samples: 4, options: options)
        #expect(a == b)
        #expect(Set(a.map(\.tokens)).count > 1, "different samples of one prompt should differ")
        let one = try model.generate(image: image, prompt: prompt, samples: 1, options: options)
        #expect(one[0] == a[0], "a sample does not depend on how many are drawn with it")
    }

    @Test func generationStopsOnStopTokenAndContext() throws {
        let model = try StudentVLM(config: Fixtures.tinyConfig, seed: 12)
        let image = Fixtures.image((1, 2, 3)), prompt = try Fixtures.prompt()
        let free = try model.generate(image: image, prompt: prompt,
                                      options: GenerationOptions(maxNewTokens: 3, stopTokens: []))
        let stopped = try model.generate(image: image, prompt: prompt,
                                         options: GenerationOptions(maxNewTokens: 3, stopTokens: [free[0].tokens[1]]))
        #expect(stopped[0].stopped)
        #expect(stopped[0].tokens == Array(free[0].tokens.prefix(while: { $0 != free[0].tokens[1] })))
        let long = try model.generate(image: image, prompt: prompt,
                                      options: GenerationOptions(maxNewTokens: 1000, stopTokens: []))
        let example = try VLMExample(image: image, encoded: prompt)
        #expect(long[0].tokens.count == Fixtures.tinyConfig.textContext - example.tokens.count)
    }
}

/// Batched generation over several prompts.
@Suite struct BatchedGenerationTests {
    @Test func batchingRequestsGivesTheSameResultsAsOneAtATime() throws {
        let model = try StudentVLM(config: Fixtures.tinyConfig, seed: 13)
        let prompt = try Fixtures.prompt()
        let other = try Fixtures.template.encodeForGeneration(Conversation(turns: [
            ChatTurn(role: .user, text: "\(Conversation.imageMarker)\nWhat colour is this picture?")]))
        let requests = [
            try GenerationRequest(image: Fixtures.image((200, 10, 10)), prompt: prompt, samples: 2),
            try GenerationRequest(image: Fixtures.image((10, 10, 200)), prompt: other, samples: 1),
            try GenerationRequest(image: Fixtures.image((10, 200, 10)), prompt: prompt, samples: 3),
        ]
        #expect(requests[0].promptTokens.count != requests[1].promptTokens.count, "two prompt lengths, two batches")
        let options = GenerationOptions(sampling: SamplingOptions(temperature: 1, topK: 20), maxNewTokens: 5,
                                        stopTokens: [], seed: 5)
        let batched = try model.generate(requests, options: options)
        #expect(batched.map(\.count) == [2, 1, 3])
        // Request 0 alone is request 0 of the batch (same seed streams); greedy rows match per image too.
        #expect(try model.generate([requests[0]], options: options)[0] == batched[0])
        let greedy = GenerationOptions(maxNewTokens: 5, stopTokens: [])
        let all = try model.generate(requests, options: greedy)
        for (i, request) in requests.enumerated() {
            let alone = try model.generate([GenerationRequest(image: request.image, promptTokens: request.promptTokens)],
                                           options: greedy)[0]
            #expect(all[i].allSatisfy { $0 == alone[0] })
        }
    }

    @Test func samplesSharingOnePrefillEqualSamplesDrawnOneByOne() throws {
        let model = try StudentVLM(config: Fixtures.tinyConfig, seed: 14)
        let image = Fixtures.image((120, 30, 200)), prompt = try Fixtures.prompt()
        let options = GenerationOptions(sampling: SamplingOptions(temperature: 1.3, topP: 0.95), maxNewTokens: 9,
                                        stopTokens: [], seed: 21)
        let shared = try model.generate(image: image, prompt: prompt, samples: 6, options: options)
        #expect(Set(shared.map(\.tokens)).count > 1, "different samples of one prompt should differ")
        #expect(try model.generate(image: image, prompt: prompt, samples: 6, options: options) == shared)
        for j in 0..<6 {
            let alone = try model.generate([GenerationRequest(image: image, prompt: prompt, samples: 1,
                                                              firstSample: j)], options: options)
            #expect(alone == [[shared[j]]], "sample \(j) drawn alone, with its own prefill")
        }
        let tail = try model.generate([GenerationRequest(image: image, prompt: prompt, samples: 3, firstSample: 3)],
                                      options: options)
        #expect(tail[0] == Array(shared[3...]))
    }

    @Test func finishedChainsLeaveTheBatchWithoutChangingTheOthers() throws {
        let model = try StudentVLM(config: Fixtures.tinyConfig, seed: 17)
        let image = Fixtures.image((60, 160, 90)), prompt = try Fixtures.prompt()
        // A third of the vocabulary stops a chain, so the chains end after different numbers of tokens.
        let stops = Set(stride(from: 0, to: Fixtures.tinyConfig.vocabSize, by: 3))
        let options = GenerationOptions(sampling: SamplingOptions(temperature: 1.5), maxNewTokens: 12,
                                        stopTokens: stops, seed: 8)
        let together = try model.generate(image: image, prompt: prompt, samples: 8, options: options)
        #expect(Set(together.map(\.tokens.count)).count > 2, "chains should stop at several lengths")
        #expect(together.contains { $0.stopped } && together.allSatisfy { $0.tokens.allSatisfy { !stops.contains($0) } })
        for j in 0..<8 {
            let alone = try model.generate([GenerationRequest(image: image, prompt: prompt, samples: 1,
                                                              firstSample: j)], options: options)
            #expect(alone == [[together[j]]], "chain \(j)")
        }
    }
}
