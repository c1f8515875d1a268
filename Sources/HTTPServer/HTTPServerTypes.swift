/// A request as the server parsed it.
public struct HTTPServerRequest: Sendable {
    /// The method token.
    public var method: String
    /// The request target (path and query).
    public var path: String
    /// The protocol version from the request line, such as `HTTP/1.1`.
    public var version: String
    /// Header fields in order.
    public var headers: [(name: String, value: String)]
    /// The body, read by `Content-Length`.
    public var body: [UInt8]

    /// A request with every part given.
    public init(method: String, path: String, version: String, headers: [(name: String, value: String)],
                body: [UInt8]) {
        self.method = method
        self.path = path
        self.version = version
        self.headers = headers
        self.body = body
    }

    /// The first value of a header field, ignoring case.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The path without its query string.
    public var route: String { String(path.prefix { $0 != "?" }) }
}

/// What the server does with one request.
public enum HTTPServerReply: Sendable {
    /// Answers with this status, extra headers (`Content-Length` and `Connection` are added) and body.
    case respond(status: Int, headers: [(String, String)], body: [UInt8])
    /// Closes the connection without writing anything.
    case closeConnection
}

/// Limits that keep one client from exhausting the server.
public struct HTTPServerLimits: Sendable {
    /// Longest request head (request line and headers) read; a longer one closes the connection.
    public var maxHeadBytes: Int
    /// Largest body accepted; a larger `Content-Length` gets 413 and the connection is closed.
    public var maxBodyBytes: Int
    /// Most connections served at once; more get 503 and are closed.
    public var maxConnections: Int
    /// How long a kept-alive connection may sit idle (or a client pause mid-request) before it is closed; nil waits
    /// for ever.
    public var idleTimeout: Duration?

    /// Limits.
    public init(maxHeadBytes: Int = 64 << 10, maxBodyBytes: Int = 32 << 20, maxConnections: Int = 64,
                idleTimeout: Duration? = .seconds(120)) {
        self.maxHeadBytes = maxHeadBytes
        self.maxBodyBytes = maxBodyBytes
        self.maxConnections = maxConnections
        self.idleTimeout = idleTimeout
    }
}

/// The server could not start.
public enum HTTPServerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The host is not an address or name this machine can bind.
    case unknownHost(String, reason: String)
    /// A socket call failed with this errno (the port may be in use, or need privileges).
    case socket(String, Int32)

    public var description: String {
        switch self {
        case .unknownHost(let host, let reason):
            return "cannot bind \(host): \(reason); use an address such as 127.0.0.1, ::1 or 0.0.0.0"
        case .socket(let call, let code):
            return "HTTP server: \(call) failed: \(HTTPServer.errorText(code)); if the port is in use, choose another"
        }
    }
}
