import Foundation

/// Where and how to connect to RabbitMQ.
public struct AMQPConfiguration: Sendable, Equatable, CustomStringConvertible {
    /// Host name or address.
    public var host: String
    /// TCP port (5672 by default).
    public var port: Int
    /// User name.
    public var user: String
    /// Password (never printed: see `description`).
    public var password: String
    /// Virtual host (`/` by default).
    public var virtualHost: String
    /// Heartbeat interval asked of the server, in seconds (0 disables heartbeats).
    public var heartbeatSeconds: Int
    /// How long connecting (TCP and the AMQP handshake) may take.
    public var connectTimeout: Duration
    /// A name shown in RabbitMQ's connection list (`connection_name`).
    public var connectionName: String

    /// Makes a configuration.
    public init(host: String = "127.0.0.1", port: Int = 5672, user: String = "guest", password: String = "guest",
                virtualHost: String = "/", heartbeatSeconds: Int = 30, connectTimeout: Duration = .seconds(5),
                connectionName: String = "reasoner") {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.virtualHost = virtualHost
        self.heartbeatSeconds = heartbeatSeconds
        self.connectTimeout = connectTimeout
        self.connectionName = connectionName
    }

    /// Parses `amqp://user:password@host:port/vhost` (the vhost percent-encoded, so `/` is `%2F`; an empty path
    /// means `/`). User and password may be left out (guest) and given by `password(from:)` instead.
    public init(url: String) throws(AMQPError) {
        guard let components = URLComponents(string: url), components.scheme == "amqp" else {
            throw .invalidURL("'\(Self.redacted(url))' is not an amqp:// URL; write amqp://user:password@host:5672/%2F")
        }
        guard let host = components.host, !host.isEmpty else {
            throw .invalidURL("'\(Self.redacted(url))' has no host")
        }
        self.init(host: host, port: components.port ?? 5672)
        if let user = components.percentEncodedUser { self.user = user.removingPercentEncoding ?? user }
        if let password = components.percentEncodedPassword {
            self.password = password.removingPercentEncoding ?? password
        }
        let path = components.percentEncodedPath
        if path.isEmpty || path == "/" {
            virtualHost = "/"
        } else {
            let encoded = String(path.dropFirst())
            guard !encoded.contains("/") else {
                throw .invalidURL("the vhost of '\(Self.redacted(url))' must be one path segment (write / as %2F)")
            }
            virtualHost = encoded.removingPercentEncoding ?? encoded
        }
    }

    /// The configuration from the environment: `REASONER_AMQP_URL` (default `amqp://guest:guest@127.0.0.1:5672/%2F`),
    /// with the password replaced by `REASONER_AMQP_PASSWORD`, or by the contents of the file named in
    /// `REASONER_AMQP_PASSWORD_FILE` (a Docker secret), when set. Passwords never come from argv.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(AMQPError) -> AMQPConfiguration {
        var configuration = try AMQPConfiguration(url: environment["REASONER_AMQP_URL"]
                                                  ?? "amqp://guest:guest@127.0.0.1:5672/%2F")
        if let password = environment["REASONER_AMQP_PASSWORD"] {
            configuration.password = password
        } else if let file = environment["REASONER_AMQP_PASSWORD_FILE"] {
            guard let contents = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw .invalidURL("cannot read the password file \(file) (REASONER_AMQP_PASSWORD_FILE)")
            }
            configuration.password = contents.trimmingCharacters(in: .newlines)
        }
        return configuration
    }

    /// The URL without its password.
    public var description: String {
        let vhost = virtualHost.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? virtualHost
        return "amqp://\(user):***@\(host):\(port)/\(vhost)"
    }

    private static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "***"
        return components.string ?? "(unparseable URL)"
    }
}
