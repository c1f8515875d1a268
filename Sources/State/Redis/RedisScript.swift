/// A Lua script run with `EVALSHA`, loaded on demand.
///
/// The SHA-1 is computed locally, so the common path sends only the 40-byte digest; when the server answers
/// `NOSCRIPT` (restart, `SCRIPT FLUSH`, fresh server) the connection loads the source and runs it again.
public struct RedisScript: Sendable, Hashable {
    /// The Lua source.
    public let source: String
    /// The lowercase hex SHA-1 of `source`, the name Redis gives the script.
    public let sha1: String

    /// Wraps `source` and computes its digest.
    public init(source: String) {
        self.source = source
        self.sha1 = SHA1.hexDigest(Array(source.utf8))
    }
}
