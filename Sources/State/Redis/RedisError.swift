/// An error reply from the Redis server (`-WRONGTYPE Operation against a key...`), split into its code and text.
public struct RedisServerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The first word of the reply, by Redis convention the error class: `ERR`, `WRONGTYPE`, `NOSCRIPT`, `WRONGPASS`...
    public var code: String
    /// The full message as the server sent it, code included.
    public var message: String

    /// Splits `message` at its first space to find the code.
    public init(message: String) {
        self.message = message
        self.code = message.prefix { $0 != " " }.uppercased()
    }

    /// The server's message.
    public var description: String { message }
}

/// Everything that can go wrong talking to Redis.
public enum RedisError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The configuration URL could not be parsed; fix it to the form `redis://[[user]:password@]host[:port][/db]`.
    case invalidURL(reason: String)
    /// The password file could not be read; check the path and its permissions.
    case passwordFileUnreadable(path: String)
    /// No TCP connection could be made (refused, unreachable, connect timeout); check that the server runs.
    case connectionFailed(host: String, port: Int, message: String)
    /// `AUTH` was rejected; check the user name and password given to the configuration.
    case authenticationFailed(message: String)
    /// `SELECT` was rejected; the database index must be below the server's `databases` setting.
    case databaseSelectFailed(database: Int, message: String)
    /// The server did not reply within the command timeout; the connection is broken and must be reconnected.
    case timeout(String)
    /// The connection broke while sending or receiving (server closed it, reset...); call `reconnect()`.
    case connectionBroken(String)
    /// The server sent bytes hiredis could not parse; reconnect, and report it if it repeats.
    case protocolError(String)
    /// The server answered with an error reply (`WRONGTYPE`, `NOSCRIPT`...): the command or its data is wrong.
    case server(RedisServerError)
    /// The reply had another shape than the caller expected (for example an array where a number was due).
    case unexpectedReply(expected: String, got: String)
    /// The connection was already closed with `close()`; open a new one.
    case closed

    /// A sentence for logs and users; never contains a password.
    public var description: String {
        switch self {
        case .invalidURL(let reason): "invalid Redis URL: \(reason)"
        case .passwordFileUnreadable(let path): "cannot read the Redis password file \(path): check the path and permissions"
        case .connectionFailed(let host, let port, let message):
            "cannot connect to Redis at \(host):\(port): \(message) (is the server running? locally: compose/services start)"
        case .authenticationFailed(let message): "Redis rejected AUTH: \(message) (check the user name and password)"
        case .databaseSelectFailed(let database, let message): "Redis rejected SELECT \(database): \(message)"
        case .timeout(let message): "Redis did not reply within the command timeout (\(message)); the connection must be reconnected"
        case .connectionBroken(let message): "the Redis connection broke: \(message); reconnect and retry if the command is idempotent"
        case .protocolError(let message): "Redis protocol error: \(message)"
        case .server(let error): "Redis error reply: \(error.message)"
        case .unexpectedReply(let expected, let got): "unexpected Redis reply: expected \(expected), got \(got)"
        case .closed: "the Redis connection was closed; open a new RedisConnection"
        }
    }

    /// Whether the error left the connection unusable, so that a reconnect (and, for idempotent work, a retry)
    /// is the remedy.
    public var isConnectionLoss: Bool {
        switch self {
        case .timeout, .connectionBroken, .protocolError: true
        default: false
        }
    }
}
