import Foundation
import Imaging
import Synchronization
import Tensor

extension StudentVLM {
    /// The summed log-probability of each example's masked tokens given everything before them — with examples
    /// built by `VLMExample(image:prompt:response:)`, the log-probability of each response under the model (the
    /// verifier's and DPO's reference scores). Inference only (no gradients; use `sequenceLogProbs` to train).
    ///
    /// Examples with the same image and the same tokens before their first scored token (several chains of one
    /// question, a DPO pair) share that prompt: it runs once, and their continuations attend to its cached keys and
    /// values. Continuations run `batchSize` at a time, sorted by length so padding stays small, and the batches run
    /// on all cores, each worker on its own tape. Results are in input order and do not depend on the number of
    /// cores; an example without scored tokens scores 0.
    public func responseLogProbs(_ examples: [VLMExample], batchSize: Int = 32) throws(ModelError) -> [Float] {
        guard batchSize > 0 else { throw .invalidInput("batchSize must be positive, got \(batchSize)") }
        let p = config.patchesPerImage
        for (i, example) in examples.enumerated() {
            guard p + example.tokens.count <= config.contextLength else {
                throw .invalidInput("example \(i): \(example.tokens.count) text tokens + \(p) image patches exceed "
                                    + "context \(config.contextLength); truncate the response or raise context_length")
            }
            guard example.tokens.allSatisfy({ $0 >= 0 && $0 < config.vocabSize }) else {
                throw .invalidInput("example \(i) has a token outside the vocabulary of \(config.vocabSize)")
            }
        }
        let units = ScoringUnit.plan(examples, batchSize: batchSize)
        let workers = min(units.count, Parallelism.workers)
        let scores = Mutex([Float](repeating: 0, count: examples.count))
        let failure = Mutex<ModelError?>(nil)
        let shared = ReadOnlyModel(model: self)
        Parallelism.forEachSingleThreadedBLAS(workers) { worker in
            let model = shared.model
            // Largest units first: the tape's arena reaches its size at once and is reused by the rest.
            model.tapes.withTape(model.parameters) { tape in
                for unit in stride(from: worker, to: units.count, by: workers).map({ units[$0] }) {
                    do throws(ModelError) {
                        let values = try model.score(unit, examples: examples, batchSize: batchSize, tape: tape)
                        scores.withLock { for (index, value) in values { $0[index] = value } }
                    } catch {
                        failure.withLock { $0 = $0 ?? error }
                        return
                    }
                }
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
        return scores.withLock { $0 }
    }

    /// (example index, summed log-prob) for the examples of `unit`.
    private func score(_ unit: ScoringUnit, examples: [VLMExample], batchSize: Int,
                       tape: Tape) throws(ModelError) -> [(Int, Float)] {
        switch unit {
        case .whole(let batch):
            tape.reset()
            let values = tape.array(try sequenceLogProbs(tape, batch.map { examples[$0] }))
            return Array(zip(batch, values))
        case let .sharedPrompts(prompts, rows):
            return scoreContinuations(prompts: prompts, rows: rows, examples: examples, batchSize: batchSize,
                                      tape: tape)
        }
    }

    /// Runs `prompts` (images and tokens, all of one length) once, then every row's continuation after its prompt.
    private func scoreContinuations(prompts: [(image: RGBImage, tokens: [Int])], rows: [ScoringUnit.Row],
                                    examples: [VLMExample], batchSize: Int, tape: Tape) -> [(Int, Float)] {
        let p = config.patchesPerImage, v = config.vocabSize, length = prompts[0].tokens.count
        tape.reset()
        let caches = decoder.makeCaches(batch: prompts.count, capacity: p + length)
        let prefill = tape.value(decoder(tape, ids: prompts.flatMap { $0.tokens.map(Int32.init) }, batch: prompts.count,
                                         length: length, prefix: imageFeatures(tape, images: prompts.map(\.image)),
                                         caches: caches))
        // The last prompt position predicts each continuation's first token.
        var last = [Float](repeating: 0, count: prompts.count * v)
        for g in prompts.indices {
            for j in 0..<v { last[g * v + j] = prefill[((g + 1) * (p + length) - 1) * v + j] }
        }
        var out: [(Int, Float)] = []
        let sorted = rows.sorted { examples[$0.example].tokens.count < examples[$1.example].tokens.count }
        for start in stride(from: 0, to: sorted.count, by: batchSize) {
            let chunk = sorted[start..<min(start + batchSize, sorted.count)]
            let width = chunk.map { examples[$0.example].tokens.count - length }.max()!
            var ids = [Int32](repeating: 0, count: chunk.count * width), mask = [Float](repeating: 0, count: ids.count)
            for (r, row) in chunk.enumerated() {
                let example = examples[row.example]
                for j in length..<example.tokens.count {
                    ids[r * width + j - length] = Int32(example.tokens[j])
                    mask[r * width + j - length] = example.lossMask[j] ? 1 : 0
                }
            }
            tape.reset()
            let shared = caches.map { KVCache(sharingPrefixOf: $0, rows: chunk.map(\.prompt), capacity: width) }
            let next = tape.value(decoder(tape, ids: ids, batch: chunk.count, length: width, caches: shared))
            // Row r of the scored logits: the prompt's last logits, then the continuation's own but the last.
            let logits = tape.input(shape: Shape(chunk.count, width, v)) { buffer in
                for (r, row) in chunk.enumerated() {
                    let base = buffer.baseAddress! + r * width * v
                    for j in 0..<v { base[j] = last[row.prompt * v + j] }
                    for t in 1..<width {
                        (base + t * v).update(from: next.baseAddress! + (r * width + t - 1) * v, count: v)
                    }
                }
            }
            let values = tape.array(tape.sequenceLogProbs(logits, targets: ids, mask: mask))
            out += zip(chunk.map(\.example), values)
        }
        return out
    }
}

/// A piece of scoring work that one worker does on its own tape.
enum ScoringUnit: Sendable {
    /// One continuation to score after a shared prompt.
    struct Row: Sendable {
        /// Index of the prompt in its unit.
        let prompt: Int
        /// Index of the example.
        let example: Int
    }

    /// Examples scored whole, in one batch (those whose first token is scored, so they have no prompt to share).
    case whole([Int])
    /// Prompts of one length, each run once, and the rows continuing them.
    case sharedPrompts([(image: RGBImage, tokens: [Int])], [Row])

    /// The units for `examples`: examples grouped by (image, tokens before the first scored token) into shared
    /// prompts, prompts of one length up to `batchSize / 4` to a unit (so that even one question's worth of work
    /// spreads over the cores); the rest whole, `batchSize` to a unit by length. Largest units first.
    static func plan(_ examples: [VLMExample], batchSize: Int) -> [ScoringUnit] {
        var whole: [Int] = []
        var prompts: [(image: RGBImage, tokens: [Int], members: [Int])] = []
        var slots: [PromptKey: Int] = [:]
        for (i, example) in examples.enumerated() {
            guard let first = example.lossMask.firstIndex(of: true) else { continue }
            guard first > 0 else { whole.append(i); continue }
            let key = PromptKey(image: ImageKey(example.image), tokens: Array(example.tokens[..<first]))
            if let slot = slots[key] { prompts[slot].members.append(i); continue }
            slots[key] = prompts.count
            prompts.append((example.image, key.tokens, [i]))
        }
        var units: [(size: Int, unit: ScoringUnit)] = []
        whole.sort { examples[$0].tokens.count < examples[$1].tokens.count }
        for start in stride(from: 0, to: whole.count, by: batchSize) {
            let batch = Array(whole[start..<min(start + batchSize, whole.count)])
            units.append((batch.reduce(0) { $0 + examples[$1].tokens.count }, .whole(batch)))
        }
        let byLength = Dictionary(grouping: prompts.indices, by: { prompts[$0].tokens.count })
        for length in byLength.keys.sorted() {
            let group = byLength[length]!
            let perUnit = max(1, batchSize / 4)
            for start in stride(from: 0, to: group.count, by: perUnit) {
                let members = group[start..<min(start + perUnit, group.count)].map { prompts[$0] }
                let rows = members.enumerated().flatMap { g, prompt in prompt.members.map { Row(prompt: g, example: $0) } }
                let size = rows.reduce(0) { $0 + examples[$1.example].tokens.count - length }
                units.append((size, .sharedPrompts(members.map { ($0.image, $0.tokens) }, rows)))
            }
        }
        return units.sorted { $0.size > $1.size }.map(\.unit)
    }
}

/// The identity of a shared prompt: its image and its tokens.
private struct PromptKey: Hashable {
    let image: ImageKey
    let tokens: [Int]
}
