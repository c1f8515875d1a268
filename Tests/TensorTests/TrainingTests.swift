import Foundation
import Testing
@testable import Tensor

/// Safetensors round trips, schedules and whole training steps.
@Suite struct TrainingTests {
    @Test func safetensorsRoundTripKeepsValuesShapesAndMetadata() throws {
        let tensors: [String: SafeTensor] = [
            "a": .f32([1.5, -2, .pi], shape: [3]), "b": .i64([1, -7, 1 << 40, 0], shape: [2, 2]),
            "c": .i32([5], shape: [1]),
        ]
        let data = try Safetensors.encode(tensors, metadata: ["format": "pt"])
        let back = try Safetensors.decode(data)
        #expect(back.tensors == tensors)
        #expect(back.metadata == ["format": "pt"])
    }

    @Test func safetensorsRejectsTruncatedFiles() throws {
        let data = try Safetensors.encode(["a": .f32([1, 2, 3, 4], shape: [4])])
        #expect(throws: SafetensorsError.self) { try Safetensors.decode(data.prefix(data.count - 4)) }
        #expect(throws: SafetensorsError.self) { try Safetensors.decode(Data([1, 2])) }
    }

    @Test func scheduleWarmsUpThenDecaysToMinimum() {
        let s = LearningRateSchedule(peak: 1, minimum: 0.1, warmupSteps: 4, totalSteps: 14)
        #expect(s(0) == 0.25)
        #expect(s(3) == 1)
        #expect(abs(s(9) - 0.55) < 1e-6)
        #expect(abs(s(14) - 0.1) < 1e-6)
        #expect(abs(s(100) - 0.1) < 1e-6)
    }

    func trainTinyDecoder(seed: UInt64, steps: Int) -> (losses: [Float], params: [Float]) {
        let store = ParameterStore()
        let config = TransformerConfiguration(dModel: 16, heads: 2, mlpHidden: 32, layers: 2)
        let model = DecoderLM(store, config, vocab: 11, context: 8, seed: seed)
        let opt = AdamW(store)
        let tape = Tape(parameters: store)
        var rng = SplitMix64(seed: 5)
        let ids = (0..<16).map { _ in Int32(rng.next() % 11) }
        var losses: [Float] = []
        for step in 0..<steps {
            store.zeroGrads()
            for micro in 0..<2 {  // gradient accumulation over two micro-batches
                tape.reset()
                let logits = model(tape, ids: Array(ids[(micro * 8)..<(micro * 8 + 8)]), batch: 1, length: 8)
                let targets = (0..<8).map { ids[micro * 8 + ($0 + 1) % 8] }
                let loss = tape.crossEntropy(logits, targets: targets)
                if micro == 0 { losses.append(tape.scalar(loss)) }
                tape.backward(loss, scale: 0.5)
            }
            store.clipGradients(maxNorm: 1)
            opt.step(lr: LearningRateSchedule(peak: 1e-2, warmupSteps: 2, totalSteps: steps)(step))
        }
        return (losses, Array(UnsafeBufferPointer(start: store.values, count: store.count)))
    }

    @Test func trainingIsReproducibleBitForBitAndLearns() {
        let a = trainTinyDecoder(seed: 3, steps: 30)
        let b = trainTinyDecoder(seed: 3, steps: 30)
        #expect(a.params == b.params)
        #expect(a.losses == b.losses)
        #expect(a.losses.last! < a.losses.first! * 0.5, "loss \(a.losses.first!) -> \(a.losses.last!)")
    }

    @Test func checkpointRoundTripRestoresParameters() throws {
        let s1 = ParameterStore(), s2 = ParameterStore()
        let c = TransformerConfiguration(dModel: 8, heads: 2, mlpHidden: 16, layers: 1)
        _ = DecoderLM(s1, c, vocab: 5, context: 4, seed: 1)
        _ = DecoderLM(s2, c, vocab: 5, context: 4, seed: 2)
        try s2.load(try Safetensors.decode(try Safetensors.encode(s1.namedTensors())).tensors)
        #expect(Array(UnsafeBufferPointer(start: s1.values, count: s1.count))
                == Array(UnsafeBufferPointer(start: s2.values, count: s2.count)))
        #expect(s1.names.contains("layers.0.attn.q_proj.weight"))
    }
}

/// The vision side of the VLM layers.
@Suite struct VisionTests {
    @Test func patchifyOrdersPatchesRowMajorAndFlattensEachPatch() {
        let pixels = (0..<32).map { Float($0) }  // one 4x4 image with 2 channels
        let patches = VisionEncoder.patchify(pixels, batch: 1, height: 4, width: 4, channels: 2, patch: 2)
        #expect(Array(patches[0..<8]) == [0, 1, 2, 3, 8, 9, 10, 11])
        #expect(Array(patches[8..<16]) == [4, 5, 6, 7, 12, 13, 14, 15])
        #expect(Array(patches[16..<24]) == [16, 17, 18, 19, 24, 25, 26, 27])
    }

    @Test func imagePrefixFeedsTheDecoderAndReceivesGradients() {
        let store = ParameterStore()
        var rng = SplitMix64(seed: 4)
        let vc = TransformerConfiguration(dModel: 8, heads: 2, mlpHidden: 16, layers: 1, norm: .layer, causal: false,
                                          bias: true)
        let vision = VisionEncoder(store, prefix: "vision.", vc, patches: 4, patchValues: 12, outDim: 8, rng: &rng)
        let lm = DecoderLM(store, TransformerConfiguration(dModel: 8, heads: 2, mlpHidden: 16, layers: 1),
                           vocab: 9, context: 10, seed: 5)
        let tape = Tape(parameters: store)
        let patches = tape.input((0..<(2 * 4 * 12)).map { _ in rng.nextNormal() }, shape: Shape(2, 4, 12))
        let logits = lm(tape, ids: [1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 2, 3], batch: 2, length: 6,
                        prefix: vision(tape, patches))
        #expect(logits.shape == Shape(2, 10, 9))
        let mask = (0..<20).map { $0 % 10 < 4 ? Float(0) : 1 }
        tape.backward(tape.crossEntropy(logits, targets: (0..<20).map { Int32($0 % 9) }, mask: mask))
        let g = store.grad(store.parameter(named: "vision.patch_embed.weight")!)
        #expect(g.contains { $0 != 0 })
        #expect(store.names.contains("vision.layers.0.attn.q_proj.weight"))
    }
}

/// Incremental decoding with key/value caches.
@Suite struct DecodingTests {
    @Test func cachedDecodingMatchesFullSequenceForward() {
        let store = ParameterStore()
        let lm = DecoderLM(store, TransformerConfiguration(dModel: 8, heads: 2, mlpHidden: 16, layers: 2),
                           vocab: 9, context: 8, seed: 6)
        let ids: [Int32] = [1, 5, 2, 7, 3, 3, 8, 0, 4, 4, 1, 6]  // 2 sequences of 6
        let full = Tape(parameters: store)
        let expected = full.array(lm(full, ids: ids, batch: 2, length: 6))
        let caches = lm.makeCaches(batch: 2)
        let tape = Tape(parameters: store)
        // A 3-token prompt, then one token at a time.
        var steps: [(start: Int, count: Int)] = [(0, 3)]
        for p in 3..<6 { steps.append((p, 1)) }
        for (start, count) in steps {
            tape.reset()
            let chunk = (0..<2).flatMap { s in ids[(s * 6 + start)..<(s * 6 + start + count)] }
            let logits = tape.array(lm(tape, ids: chunk, batch: 2, length: count, caches: caches))
            for s in 0..<2 {
                for t in 0..<count {
                    for v in 0..<9 {
                        let got = logits[(s * count + t) * 9 + v], want = expected[(s * 6 + start + t) * 9 + v]
                        #expect(abs(got - want) < 1e-5, "seq \(s) pos \(start + t) vocab \(v)")
                    }
                }
            }
        }
        #expect(caches.allSatisfy { $0.length == 6 })
    }

    @Test func gatheredCacheRowsContinueLikeTheirSourceRows() {
        let store = ParameterStore()
        let lm = DecoderLM(store, TransformerConfiguration(dModel: 8, heads: 2, mlpHidden: 16, layers: 2),
                           vocab: 9, context: 8, seed: 7)
        let prompts: [Int32] = [1, 5, 2, 7, 3, 3]  // 2 prompts of 3
        let caches = lm.makeCaches(batch: 2, capacity: 3)
        let tape = Tape(parameters: store)
        _ = lm(tape, ids: prompts, batch: 2, length: 3, caches: caches)
        // Rows 1, 0, 1 of the prompt caches, each continued by its own next token.
        let rows = [1, 0, 1], next: [Int32] = [4, 8, 0]
        let gathered = caches.map { KVCache(gathering: rows, from: $0, capacity: 5) }
        #expect(gathered.allSatisfy { $0.batch == 3 && $0.length == 3 && $0.capacity == 5 })
        tape.reset()
        let logits = tape.array(lm(tape, ids: next, batch: 3, length: 1, caches: gathered))
        for (i, row) in rows.enumerated() {
            let full = Tape(parameters: store)
            let ids = Array(prompts[(row * 3)..<(row * 3 + 3)]) + [next[i]]
            let want = Array(full.array(lm(full, ids: ids, batch: 1, length: 4))[(3 * 9)..<(4 * 9)])
            for v in 0..<9 { #expect(abs(logits[i * 9 + v] - want[v]) < 1e-5, "row \(i) vocab \(v)") }
        }
    }
}

/// Inline shapes.
@Suite struct ShapeTests {
    @Test func helpersMatchArrayForms() {
        let s = Shape(2, 3, 4)
        #expect(s.count == 24 && s.rows == 6 && s.last == 4)
        #expect(s.replacingLast(7) == Shape(2, 3, 7))
        #expect(s.appending(5) == Shape(2, 3, 4, 5))
        #expect(s.swappingLast2() == Shape(2, 4, 3))
        #expect(Shape().count == 1 && Shape(dims: [5]).dims == [5])
    }
}
