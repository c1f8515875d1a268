import Foundation
import Synchronization
import Tensor

extension StudentVLM {
    /// The summed log-probability of each example's masked tokens given everything before them — with examples
    /// built by `VLMExample(image:prompt:response:)`, the log-probability of each response under the model (the
    /// verifier's and DPO's reference scores). Inference only (no gradients; use `sequenceLogProbs` to train):
    /// examples are sorted by length and cut into batches of `batchSize`, so padding stays small, and the batches
    /// run on all cores, each worker on its own tape. Results are in input order and do not depend on the number
    /// of cores.
    public func responseLogProbs(_ examples: [VLMExample], batchSize: Int = 32) throws(ModelError) -> [Float] {
        guard batchSize > 0 else { throw .invalidInput("batchSize must be positive, got \(batchSize)") }
        let order = examples.indices.sorted { examples[$0].tokens.count < examples[$1].tokens.count }
        let batches = stride(from: 0, to: order.count, by: batchSize).map {
            Array(order[$0..<min($0 + batchSize, order.count)])
        }
        let workers = min(batches.count, ProcessInfo.processInfo.activeProcessorCount)
        let scores = Mutex([Float](repeating: 0, count: examples.count))
        let failure = Mutex<ModelError?>(nil)
        let shared = ReadOnlyModel(model: self)
        Parallelism.forEachSingleThreadedBLAS(workers) { worker in
            let model = shared.model
            // Longest batches first: the tape's arena reaches its size at once and is reused by the rest.
            model.tapes.withTape(model.parameters) { tape in
                for batch in stride(from: worker, to: batches.count, by: workers).reversed().map({ batches[$0] }) {
                    tape.reset()
                    do throws(ModelError) {
                        let values = tape.array(try model.sequenceLogProbs(tape, batch.map { examples[$0] }))
                        scores.withLock { for (i, index) in batch.enumerated() { $0[index] = values[i] } }
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
}
