/// Why an artifact could not be resolved, read or written.
public enum ArtifactError: Error, Equatable, CustomStringConvertible {
    /// The path is not an acceptable ref (absolute, `..`, empty components...).
    case invalidRef(String, reason: String)
    /// The ref resolves, through a symlink, to a place outside the artifacts root.
    case escapesRoot(ref: String, resolved: String)
    /// No artifact exists at the ref.
    case notFound(ref: String)
    /// An operating-system call failed.
    case io(operation: String, path: String, errno: Int32, message: String)
    /// A content-addressed artifact does not hash to its name: the file was damaged or replaced.
    case hashMismatch(ref: String, expected: String, actual: String)

    public var description: String {
        switch self {
        case .invalidRef(let path, let reason):
            return "artifact ref '\(path)' is refused: \(reason); use a plain relative path inside the artifacts root"
        case .escapesRoot(let ref, let resolved):
            return "artifact ref '\(ref)' leads outside the artifacts root (to \(resolved)); remove the symlink"
        case .notFound(let ref):
            return "no artifact at '\(ref)'; check the artifacts root (--artifacts) is the volume the producer wrote to"
        case .io(let operation, let path, let errno, let message):
            return "\(operation) \(path) failed: \(message) (errno \(errno))"
        case .hashMismatch(let ref, let expected, let actual):
            return "artifact '\(ref)' should hash to \(expected) but hashes to \(actual); it is damaged: delete it and rerun the stage that wrote it"
        }
    }
}
