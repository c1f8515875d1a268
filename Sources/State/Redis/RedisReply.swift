/// One reply of a RESP2 server (hiredis 0.14 speaks RESP2 only).
public enum RedisReply: Sendable, Hashable, CustomStringConvertible {
    /// A simple string such as `OK` or `PONG`.
    case status(String)
    /// An error reply; top-level errors of `command` are thrown instead, this case appears inside pipelines and arrays.
    case error(RedisServerError)
    /// A 64-bit integer.
    case integer(Int64)
    /// A binary-safe bulk string.
    case bulk([UInt8])
    /// The null bulk string or null array (missing key, timed-out blocking read...).
    case null
    /// A multi-bulk reply.
    case array([RedisReply])

    /// The bytes of a bulk or status reply.
    public var bytes: [UInt8]? {
        switch self {
        case .bulk(let bytes): bytes
        case .status(let text): Array(text.utf8)
        default: nil
        }
    }

    /// The UTF-8 text of a bulk or status reply (invalid bytes are replaced, use ``bytes`` for binary data).
    public var string: String? {
        switch self {
        case .bulk(let bytes): String(decoding: bytes, as: UTF8.self)
        case .status(let text): text
        default: nil
        }
    }

    /// The value of an integer reply, or of a bulk string holding a decimal integer (`GET` of a counter).
    public var integer: Int64? {
        switch self {
        case .integer(let value): value
        case .bulk(let bytes): Int64(String(decoding: bytes, as: UTF8.self))
        default: nil
        }
    }

    /// The elements of an array reply.
    public var array: [RedisReply]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// Whether this is the null reply.
    public var isNull: Bool { self == .null }

    /// The reply itself, or the server error it carries thrown as ``RedisError/server(_:)``.
    public func throwingServerError() throws(RedisError) -> RedisReply {
        if case .error(let error) = self { throw .server(error) }
        return self
    }

    /// The bytes of a bulk reply, else ``RedisError/unexpectedReply(expected:got:)``.
    public func requireBytes() throws(RedisError) -> [UInt8] {
        guard let bytes = try throwingServerError().bytes else { throw .unexpectedReply(expected: "a bulk string", got: description) }
        return bytes
    }

    /// The integer of an integer reply, else ``RedisError/unexpectedReply(expected:got:)``.
    public func requireInteger() throws(RedisError) -> Int64 {
        guard let value = try throwingServerError().integer else { throw .unexpectedReply(expected: "an integer", got: description) }
        return value
    }

    /// The elements of an array reply, else ``RedisError/unexpectedReply(expected:got:)``.
    public func requireArray() throws(RedisError) -> [RedisReply] {
        guard let elements = try throwingServerError().array else { throw .unexpectedReply(expected: "an array", got: description) }
        return elements
    }

    /// A short human-readable rendering (bulk strings shown as text when they are valid UTF-8, else by size).
    public var description: String {
        switch self {
        case .status(let text): "status(\(text))"
        case .error(let error): "error(\(error.message))"
        case .integer(let value): "integer(\(value))"
        case .bulk(let bytes):
            if let text = String(validating: bytes, as: UTF8.self) { "bulk(\"\(text.prefix(80))\")" } else { "bulk(\(bytes.count) bytes)" }
        case .null: "null"
        case .array(let elements): "array[\(elements.map(\.description).joined(separator: ", "))]"
        }
    }
}
