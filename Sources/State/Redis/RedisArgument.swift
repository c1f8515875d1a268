/// A value that can be one argument of a Redis command, sent as raw bytes (binary safe, NULs allowed).
public protocol RedisArgument: Sendable {
    /// The bytes sent to the server for this argument.
    var redisArgumentBytes: [UInt8] { get }
}

extension String: RedisArgument {
    /// The UTF-8 bytes of the string.
    public var redisArgumentBytes: [UInt8] { Array(utf8) }
}

extension Substring: RedisArgument {
    /// The UTF-8 bytes of the substring.
    public var redisArgumentBytes: [UInt8] { Array(utf8) }
}

extension Array: RedisArgument where Element == UInt8 {
    /// The bytes themselves.
    public var redisArgumentBytes: [UInt8] { self }
}

extension Int: RedisArgument {
    /// The decimal text, as Redis expects numbers.
    public var redisArgumentBytes: [UInt8] { Array(String(self).utf8) }
}

extension Int64: RedisArgument {
    /// The decimal text, as Redis expects numbers.
    public var redisArgumentBytes: [UInt8] { Array(String(self).utf8) }
}

extension UInt64: RedisArgument {
    /// The decimal text, as Redis expects numbers.
    public var redisArgumentBytes: [UInt8] { Array(String(self).utf8) }
}

/// What a command may do when the connection turns out to be broken.
///
/// Retrying is only safe when running the command twice has the same effect as running it once (`GET`, `SET` of a
/// fixed value, `EVALSHA` of an idempotent script such as "complete once"); an `INCR` or `XADD` retried after a lost
/// reply may apply twice. The library cannot know, so the caller decides per call and the default never retries.
public enum RedisRetry: Sendable, Hashable {
    /// Fail with the connection error; the caller calls `reconnect()` when it wants to go on.
    case never
    /// Reconnect (re-applying AUTH, SELECT and timeouts) and run the command one more time. Only for idempotent work.
    case reconnectOnceIfIdempotent
}
