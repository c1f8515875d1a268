import Foundation
import Imaging
import Model
import Synchronization
import Tensor
import TestSupport
import Testing
import Tokenization

/// Results depend on neither timing nor the engine's worker count (`Parallelism`'s promise): training steps,
/// sampled chains and response scores are computed many times while a CPU hog started here loads every core, with
/// 1, 2 and 3 workers, and compared bit for bit. The model is big enough that its GEMMs are cut into blocks and
/// its attention runs in parallel, the paths where a cut that followed the cores or the timing showed up.
///
/// Serialized: the suite sets the process-wide worker count, and its runs compare with each other.
@Suite(.serialized) struct DeterminismStressTests {
    /// 16x16 images in 4x4 patches, width 64: a batch of 8 gives GEMMs of ~300 rows, cut into several blocks.
    static let config = VLMConfig(imageSize: 16, patchSize: 4, visionDim: 64, visionLayers: 1, visionHeads: 2,
                                  visionMLP: 128, decoderDim: 64, decoderLayers: 2, decoderHeads: 4, decoderMLP: 256,
                                  vocabSize: Fixtures.tokenizer.vocabularySize, contextLength: 64)
    static let workerCounts = [1, 2, 3]
    static let repeats = 2

    /// Runs `body` once per worker count, `repeats` times each, under a CPU hog; returns every result.
    func underLoad<T: Sendable>(_ body: () throws -> T) throws -> [(workers: Int, value: T)] {
        let hog = CPUHog(threads: ProcessInfo.processInfo.activeProcessorCount)
        let previous = Parallelism.workers
        defer {
            Parallelism.setWorkers(previous)
            hog.stop()
        }
        var results: [(workers: Int, value: T)] = []
        for _ in 0..<Self.repeats {
            for workers in Self.workerCounts {
                Parallelism.setWorkers(workers)
                results.append((workers, try body()))
            }
        }
        #expect(hog.spins > 0, "the hog ran")
        return results
    }

    func examples() throws -> [VLMExample] {
        try (0..<8).map { i in
            let colour = Fixtures.colours[i % Fixtures.colours.count]
            var image = Fixtures.image(colour.rgb, size: 16)
            image[x: i, y: i] = (UInt8(i * 20), 0, 255)  // every example its own image
            let conversation = Conversation(turns: [ChatTurn(role: .user, text: Fixtures.question),
                                                    ChatTurn(role: .assistant, text: colour.name)])
            return try VLMExample(image: image, encoded: Fixtures.template.encode(conversation))
        }
    }

    /// Four AdamW steps with clipping from seed 5; the parameters' bits afterwards.
    func trainedParameters() throws -> [Float] {
        let model = try StudentVLM(config: Self.config, seed: 5)
        let optimizer = AdamW(model.parameters)
        let batch = try examples()
        let tape = Tape(parameters: model.parameters)
        for step in 0..<4 {
            model.parameters.zeroGrads()
            tape.reset()
            tape.backward(try model.loss(tape, Array(batch[(step % 2)...])))
            model.parameters.clipGradients(maxNorm: 1)
            optimizer.step(lr: 3e-3)
        }
        return Array(UnsafeBufferPointer(start: model.parameters.values, count: model.parameters.count))
    }

    @Test func trainingStepsAreBitIdenticalOnAnyNumberOfCoresUnderLoad() throws {
        let runs = try underLoad { try trainedParameters() }
        for run in runs { #expect(bitDifference(run.value, runs[0].value) == nil, "\(run.workers) workers") }
    }

    @Test func sampledChainsAndScoresAreBitIdenticalOnAnyNumberOfCoresUnderLoad() throws {
        let model = try StudentVLM(config: Self.config, seed: 6)
        let prompt = try Fixtures.prompt()
        // 3 x 60 samples: two decoding shards of `samplesPerShard` (128) and a partial one.
        let requests = try (0..<3).map { i in
            try GenerationRequest(image: Fixtures.image(Fixtures.colours[i].rgb, size: 16), prompt: prompt,
                                  samples: 60)
        }
        let options = GenerationOptions(sampling: SamplingOptions(temperature: 1), maxNewTokens: 12, stopTokens: [],
                                        seed: 21)
        let scored = try examples()
        let runs = try underLoad {
            (chains: try model.generate(requests, options: options).map { $0.map(\.tokens) },
             scores: try model.responseLogProbs(scored, batchSize: 3))
        }
        #expect(Set(runs[0].value.chains.joined()).count > 100, "temperature 1 draws distinct chains")
        for run in runs {
            #expect(run.value.chains == runs[0].value.chains, "\(run.workers) workers: chains")
            #expect(bitDifference(run.value.scores, runs[0].value.scores) == nil, "\(run.workers) workers: scores")
        }
    }
}

/// Threads that spin until stopped, so that the engine's parallel loops compete for every core.
final class CPUHog: Sendable {
    private let running = Atomic<Bool>(true)
    private let counter = Atomic<Int>(0)
    private let finished = DispatchGroup()

    /// Starts `threads` spinning threads.
    init(threads: Int) {
        for _ in 0..<threads {
            finished.enter()
            Thread.detachNewThread { [self] in
                var x: UInt64 = 1
                while running.load(ordering: .relaxed) {
                    for _ in 0..<10_000 { x = x &* 6_364_136_223_846_793_005 &+ 1 }
                    counter.add(Int(x & 1) | 1, ordering: .relaxed)
                }
                finished.leave()
            }
        }
    }

    /// Spin rounds so far (shows that the hog ran).
    var spins: Int { counter.load(ordering: .relaxed) }

    /// Stops the threads and waits for them.
    func stop() {
        running.store(false, ordering: .relaxed)
        finished.wait()
    }
}
