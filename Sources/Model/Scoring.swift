import Tensor

extension StudentVLM {
    /// The summed log-probability of each example's masked tokens given everything before them — with examples
    /// built by `VLMExample(image:prompt:response:)`, the log-probability of each response under the model (the
    /// verifier's and DPO's reference scores). Inference only (no gradients; use `sequenceLogProbs` to train):
    /// examples are sorted by length and run `batchSize` at a time, so padding stays small. Results are in input
    /// order.
    public func responseLogProbs(_ examples: [VLMExample], batchSize: Int = 32) throws(ModelError) -> [Float] {
        guard batchSize > 0 else { throw .invalidInput("batchSize must be positive, got \(batchSize)") }
        let order = examples.indices.sorted { examples[$0].tokens.count < examples[$1].tokens.count }
        var out = [Float](repeating: 0, count: examples.count)
        let tape = Tape(parameters: parameters)
        for start in stride(from: 0, to: order.count, by: batchSize) {
            let chunk = Array(order[start..<min(start + batchSize, order.count)])
            tape.reset()
            let scores = tape.value(try sequenceLogProbs(tape, chunk.map { examples[$0] }))
            for (i, index) in chunk.enumerated() { out[index] = scores[i] }
        }
        return out
    }
}
