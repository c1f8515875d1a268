/// What can stop a training, sampling or evaluation job; each message says what to do about it.
public enum TrainingError: Error, Equatable, CustomStringConvertible {
    /// A setting is out of range; the text names it and its allowed values.
    case invalidConfiguration(String)
    /// There is nothing to train or evaluate on (every row was skipped, or the inputs were empty).
    case noUsableData(String)
    /// A checkpoint or run folder does not hold what resuming needs.
    case unusableRunFolder(String)

    /// A message for people.
    public var description: String {
        switch self {
        case .invalidConfiguration(let text): "invalid training configuration: \(text)"
        case .noUsableData(let text): "no usable data: \(text)"
        case .unusableRunFolder(let text): "cannot resume: \(text)"
        }
    }
}
