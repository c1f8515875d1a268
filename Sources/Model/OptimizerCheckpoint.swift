import Foundation
import Tensor

/// The AdamW state of a checkpoint, `optimizer.safetensors`: per parameter `<name>.exp_avg` and `<name>.exp_avg_sq`
/// (torch.optim.AdamW's names for the first and second moments, shaped like the parameter) and the step count in the
/// metadata (`step`). With it a training run resumes bit for bit where it stopped.
public enum OptimizerCheckpoint {
    /// Suffix of a parameter's first-moment tensor.
    public static let firstMomentSuffix = ".exp_avg"
    /// Suffix of a parameter's second-moment tensor.
    public static let secondMomentSuffix = ".exp_avg_sq"

    /// The file's bytes for `state`, an AdamW state over `store`.
    public static func encode(_ state: AdamW.State, store: ParameterStore) throws -> Data {
        precondition(state.firstMoments.count == store.count, "optimizer state does not match the parameter store")
        var tensors: [String: SafeTensor] = [:]
        for (name, p) in zip(store.names, store.parameters) {
            let range = p.offset..<(p.offset + p.shape.count)
            tensors[name + firstMomentSuffix] = .f32(Array(state.firstMoments[range]), shape: p.shape.dims)
            tensors[name + secondMomentSuffix] = .f32(Array(state.secondMoments[range]), shape: p.shape.dims)
        }
        return try Safetensors.encode(tensors, metadata: ["format": "pt", "step": "\(state.step)"])
    }

    /// The AdamW state in `data` for `store`, rejecting missing, extra or mis-shaped moments with an error naming
    /// the tensor, and a missing or bad step.
    public static func decode(_ data: Data, store: ParameterStore) throws -> AdamW.State {
        let file = try Safetensors.decode(data)
        guard let text = file.metadata["step"], let step = Int(text), step >= 0 else {
            throw ModelError.corruptFile(file: StudentCheckpoint.optimizerFile,
                                         reason: "its metadata has no valid step (found \(file.metadata["step"] ?? "none"))")
        }
        let expected = zip(store.names, store.parameters).flatMap { name, p in
            [(name + firstMomentSuffix, p.shape.dims), (name + secondMomentSuffix, p.shape.dims)]
        }
        try StudentCheckpoint.checkNamesAndShapes(file.tensors, expected: expected)
        var first = [Float](repeating: 0, count: store.count), second = first
        for (name, p) in zip(store.names, store.parameters) {
            first.replaceSubrange(p.offset..<(p.offset + p.shape.count), with: file.tensors[name + firstMomentSuffix]!.floats)
            second.replaceSubrange(p.offset..<(p.offset + p.shape.count),
                                   with: file.tensors[name + secondMomentSuffix]!.floats)
        }
        return AdamW.State(step: step, firstMoments: first, secondMoments: second)
    }
}
