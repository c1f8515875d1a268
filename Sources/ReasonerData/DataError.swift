/// Why a data operation failed.
public enum DataError: Error, Equatable, CustomStringConvertible {
    /// The generator could not find enough distinct scenes for the requested counts.
    case sceneSpaceExhausted(family: Family, difficulty: Difficulty, made: Int)
    /// A configuration value is out of range.
    case invalidConfiguration(String)
    /// A file could not be read or written.
    case io(path: String, reason: String)
    /// A file holds no usable rows.
    case unreadable(path: String, reason: String)
    /// No item with this id exists in the suite.
    case unknownItem(id: String, root: String)

    /// The message, saying what to do.
    public var description: String {
        switch self {
        case .sceneSpaceExhausted(let family, let difficulty, let made):
            return "only \(made) distinct \(family.rawValue) scenes at difficulty \(difficulty.rawValue) could be "
                + "drawn; ask for fewer items, raise the difficulty, or use --questions-per-scene"
        case .invalidConfiguration(let reason):
            return "invalid configuration: \(reason)"
        case .io(let path, let reason):
            return "\(path): \(reason)"
        case .unreadable(let path, let reason):
            return "\(path): \(reason)"
        case .unknownItem(let id, let root):
            return "no item \(id) in \(root); ids look like chart-test-000012 (see the split files)"
        }
    }
}
