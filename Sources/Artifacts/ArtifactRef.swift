/// A path to an artifact, relative to the artifacts root (the shared volume): what messages carry instead of absolute
/// paths, so that every worker resolves it against its own mount point.
///
/// A ref is checked when it is made: it is relative, non-empty, and has no `.` or `..` components, no empty
/// components and no NUL bytes. Symlinks that lead out of the root are caught when the ref is resolved.
public struct ArtifactRef: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The relative path, components separated by `/`.
    public let path: String

    /// Checks and wraps a relative path.
    public init(_ path: String) throws {
        guard !path.isEmpty else { throw ArtifactError.invalidRef(path, reason: "it is empty") }
        guard !path.hasPrefix("/") else {
            throw ArtifactError.invalidRef(path, reason: "it is absolute; refs are relative to the artifacts root")
        }
        guard !path.utf8.contains(0) else { throw ArtifactError.invalidRef(path, reason: "it contains a NUL byte") }
        let components = path.split(separator: "/", omittingEmptySubsequences: false)
        for component in components {
            if component.isEmpty {
                throw ArtifactError.invalidRef(path, reason: "it has an empty component (`//` or a trailing `/`)")
            }
            if component == "." || component == ".." {
                throw ArtifactError.invalidRef(path, reason: "it has a `\(component)` component")
            }
        }
        self.path = path
    }

    /// The ref of `component` inside this one (for example a file inside a checkpoint directory).
    public func appending(_ component: String) throws -> ArtifactRef {
        try ArtifactRef(path + "/" + component)
    }

    /// The last path component.
    public var name: String { String(path.split(separator: "/").last ?? Substring(path)) }

    public var description: String { path }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        try self.init(try container.decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(path)
    }
}
