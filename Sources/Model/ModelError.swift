/// Errors building, feeding, saving or loading the student model.
public enum ModelError: Error, Equatable, CustomStringConvertible {
    /// A configuration field is out of range; fix `config.json` (the message names the field).
    case invalidConfig(String)
    /// A checkpoint file is absent; point at a directory written by `StudentCheckpoint.save`.
    case missingFile(String)
    /// The checkpoint lacks a tensor the configuration needs; it was saved by another architecture.
    case missingTensor(String)
    /// The checkpoint holds a tensor the configuration does not have; check `config.json` against the weights.
    case unexpectedTensor(String)
    /// A tensor's shape differs from the configuration's; check `config.json` against the weights.
    case shapeMismatch(name: String, expected: [Int], found: [Int])
    /// A checkpoint file is present but unusable; the reason says what is wrong with it (save the checkpoint again).
    case corruptFile(file: String, reason: String)
    /// An input does not fit the model (sequence too long, image missing, token out of range); the message says which.
    case invalidInput(String)

    /// A message that says what to do.
    public var description: String {
        switch self {
        case .invalidConfig(let s): "invalid model config: \(s); fix config.json"
        case .missingFile(let s): "checkpoint file \(s) is missing; point at a directory written by a checkpoint save"
        case .missingTensor(let n): "checkpoint lacks tensor \(n); it was saved for a different architecture"
        case .unexpectedTensor(let n): "checkpoint has unexpected tensor \(n); check config.json against the weights"
        case let .shapeMismatch(n, e, f):
            "tensor \(n) has shape \(f) but the config expects \(e); check config.json against the weights"
        case let .corruptFile(file, reason): "checkpoint file \(file) is unusable: \(reason); save the checkpoint again"
        case .invalidInput(let s): "invalid model input: \(s)"
        }
    }
}
