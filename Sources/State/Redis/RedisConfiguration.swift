#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where and how to reach a Redis server: address, credentials, database and timeouts.
///
/// The password is never part of `description`, so a configuration can be logged as is.
public struct RedisConfiguration: Sendable, Hashable, CustomStringConvertible {
    /// Host name or IP address of the server.
    public var host: String
    /// TCP port of the server.
    public var port: Int
    /// ACL user name for `AUTH user password`; `nil` authenticates as the default user (`AUTH password`).
    public var username: String?
    /// Password sent with `AUTH` on every (re)connect; `nil` skips `AUTH`.
    public var password: String?
    /// Database index selected with `SELECT` on every (re)connect.
    public var database: Int
    /// Longest wait for the TCP connection to be established.
    public var connectTimeout: Duration
    /// Longest wait for one command's reply (socket send and receive timeout); a slower reply fails with
    /// ``RedisError/timeout(_:)`` and leaves the connection broken.
    public var commandTimeout: Duration

    /// Explicit settings; the password should come from ``password(environmentVariable:fileVariable:)`` or a secret
    /// store, never from a command line.
    public init(host: String = "127.0.0.1", port: Int = 6379, username: String? = nil, password: String? = nil,
                database: Int = 0, connectTimeout: Duration = .seconds(2), commandTimeout: Duration = .seconds(5)) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
    }

    /// Parses `redis://[[user]:password@]host[:port][/db]`; a percent-encoded password is decoded.
    public init(url: String, connectTimeout: Duration = .seconds(2), commandTimeout: Duration = .seconds(5)) throws(RedisError) {
        let prefix = "redis://"
        guard url.hasPrefix(prefix) else {
            throw .invalidURL(reason: "it must start with redis:// (TLS rediss:// is not supported)")
        }
        var rest = Substring(url.dropFirst(prefix.count))
        var username: String?
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            guard let colon = credentials.firstIndex(of: ":") else {
                throw .invalidURL(reason: "credentials must be written [user]:password@")
            }
            let user = credentials[..<colon]
            username = user.isEmpty ? nil : try Self.percentDecoded(user)
            password = try Self.percentDecoded(credentials[credentials.index(after: colon)...])
        }
        var database = 0
        if let slash = rest.firstIndex(of: "/") {
            let dbText = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
            if !dbText.isEmpty {
                guard let value = Int(dbText), value >= 0 else {
                    throw .invalidURL(reason: "the database after / must be a non-negative integer, got '\(dbText)'")
                }
                database = value
            }
        }
        var host = String(rest)
        var port = 6379
        if let colon = rest.lastIndex(of: ":") {
            host = String(rest[..<colon])
            guard let value = Int(rest[rest.index(after: colon)...]), (1...65535).contains(value) else {
                throw .invalidURL(reason: "the port must be an integer in 1...65535")
            }
            port = value
        }
        guard !host.isEmpty else { throw .invalidURL(reason: "the host is missing") }
        self.init(host: host, port: port, username: username, password: password, database: database,
                  connectTimeout: connectTimeout, commandTimeout: commandTimeout)
    }

    /// Reads the configuration from the environment: the URL from `urlVariable` (default `fallbackURL`), and a
    /// password, if one is set, from ``password(environmentVariable:fileVariable:)`` (it overrides one in the URL).
    public static func fromEnvironment(urlVariable: String = "REASONER_REDIS_URL",
                                       fallbackURL: String = "redis://127.0.0.1:6390/0",
                                       passwordVariable: String = "REASONER_REDIS_PASSWORD",
                                       passwordFileVariable: String = "REASONER_REDIS_PASSWORD_FILE") throws(RedisError) -> RedisConfiguration {
        let url = environment(urlVariable) ?? fallbackURL
        var configuration = try RedisConfiguration(url: url)
        if let password = try password(environmentVariable: passwordVariable, fileVariable: passwordFileVariable) {
            configuration.password = password
        }
        return configuration
    }

    /// A password from the environment variable `environmentVariable`, or else from the file named by
    /// `fileVariable` (trailing newline removed; the file is the way to keep it out of `ps` and shell history).
    /// Returns `nil` when neither is set.
    public static func password(environmentVariable: String, fileVariable: String) throws(RedisError) -> String? {
        if let value = environment(environmentVariable), !value.isEmpty { return value }
        guard let path = environment(fileVariable), !path.isEmpty else { return nil }
        return try passwordFromFile(path: path)
    }

    /// Reads a password from the file at `path`, dropping trailing newlines.
    public static func passwordFromFile(path: String) throws(RedisError) -> String {
        guard let file = fopen(path, "r") else { throw .passwordFileUnreadable(path: path) }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if count == 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
        }
        while let last = bytes.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Address, user and database; the password is shown only as present or absent.
    public var description: String {
        let credentials = password == nil ? "" : "\(username ?? ""):***@"
        return "redis://\(credentials)\(host):\(port)/\(database)"
    }

    private static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    private static func percentDecoded(_ text: Substring) throws(RedisError) -> String {
        var bytes: [UInt8] = []
        var utf8 = text.utf8[...]
        while let byte = utf8.popFirst() {
            guard byte == UInt8(ascii: "%") else { bytes.append(byte); continue }
            let hex = utf8.prefix(2)
            guard hex.count == 2, let value = UInt8(String(decoding: hex, as: UTF8.self), radix: 16) else {
                throw .invalidURL(reason: "a % in the credentials must be followed by two hex digits")
            }
            bytes.append(value)
            utf8 = utf8.dropFirst(2)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
