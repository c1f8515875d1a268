import CHiredis
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One blocking connection to Redis, owning a hiredis 0.14 context.
///
/// **Single-threaded:** a hiredis context must never be used from two threads at once, so this class is
/// deliberately not `Sendable`: keep each connection inside one task, actor or thread (the `StateStore` layer
/// gives every actor its own connection). All raw hiredis calls of the project live in this folder.
///
/// Every (re)connect runs the same setup: TCP connect with the connect timeout, the command timeout on the socket,
/// TCP keep-alive, `AUTH` and `SELECT`. Reconnecting builds a fresh context instead of calling `redisReconnect`,
/// because hiredis 0.14 loses the socket timeouts (and AUTH/SELECT) on the new socket that call opens.
public final class RedisConnection {
    /// The settings used for every (re)connect.
    public let configuration: RedisConfiguration
    /// The live context, or `nil` after `close()` or a failed reconnect.
    private var context: UnsafeMutablePointer<redisContext>?
    /// Set by `close()`; afterwards every call throws ``RedisError/closed``.
    private var isClosed = false

    /// Connects, authenticates and selects the database; throws ``RedisError/connectionFailed(host:port:message:)``,
    /// ``RedisError/authenticationFailed(message:)`` or ``RedisError/databaseSelectFailed(database:message:)``.
    public init(configuration: RedisConfiguration) throws(RedisError) {
        self.configuration = configuration
        self.context = try Self.open(configuration)
    }

    deinit {
        if let context { redisFree(context) }
    }

    /// Whether the connection is unusable (an I/O error, a timeout, or a failed reconnect) until ``reconnect()``.
    public var isBroken: Bool {
        guard let context else { return true }
        return context.pointee.err != 0
    }

    /// Drops the current socket and connects again with the full setup (timeouts, AUTH, SELECT).
    public func reconnect() throws(RedisError) {
        guard !isClosed else { throw .closed }
        if let context { redisFree(context) }
        context = nil
        context = try Self.open(configuration)
    }

    /// Closes the socket; the connection cannot be used afterwards.
    public func close() {
        if let context { redisFree(context) }
        context = nil
        isClosed = true
    }

    /// Runs one command given as its words (`"SET", key, bytes`), binary safe.
    ///
    /// An error reply is thrown as ``RedisError/server(_:)``. With ``RedisRetry/reconnectOnceIfIdempotent`` a lost
    /// connection is reconnected and the command sent once more; only pass it for commands safe to run twice.
    @discardableResult
    public func command(_ arguments: any RedisArgument..., retry: RedisRetry = .never) throws(RedisError) -> RedisReply {
        try command(arguments, retry: retry)
    }

    /// Runs one command given as an array of words; see the variadic form.
    @discardableResult
    public func command(_ arguments: [any RedisArgument], retry: RedisRetry = .never) throws(RedisError) -> RedisReply {
        let words = arguments.map(\.redisArgumentBytes)
        return try withLiveContext(retry: retry) { context throws(RedisError) in try Self.execute(context, words) }
    }

    /// Sends all `commands` in one write and then reads their replies in order (one round trip instead of N).
    ///
    /// Error replies stay in the returned array as ``RedisReply/error(_:)`` so that one failing command does not hide
    /// the others' results; a lost connection throws, since the caller cannot know which commands ran.
    public func pipeline(_ commands: [[any RedisArgument]], retry: RedisRetry = .never) throws(RedisError) -> [RedisReply] {
        let words = commands.map { $0.map(\.redisArgumentBytes) }
        return try withLiveContext(retry: retry) { context throws(RedisError) in
            for command in words {
                let status = Self.withArgv(command) { argc, argv, lengths in redisAppendCommandArgv(context, argc, argv, lengths) }
                guard status == REDIS_OK else { throw Self.connectionError(context) }
            }
            var replies: [RedisReply] = []
            replies.reserveCapacity(words.count)
            for _ in words {
                var raw: UnsafeMutableRawPointer?
                guard redisGetReply(context, &raw) == REDIS_OK, let raw else { throw Self.connectionError(context) }
                defer { freeReplyObject(raw) }
                replies.append(try Self.convert(raw.assumingMemoryBound(to: redisReply.self)))
            }
            return replies
        }
    }

    /// Runs `script` with `EVALSHA`; on `NOSCRIPT` loads its source with `SCRIPT LOAD` and runs it again.
    @discardableResult
    public func evaluate(_ script: RedisScript, keys: [any RedisArgument] = [], arguments: [any RedisArgument] = [],
                         retry: RedisRetry = .never) throws(RedisError) -> RedisReply {
        var words: [[UInt8]] = [Array("EVALSHA".utf8), Array(script.sha1.utf8), keys.count.redisArgumentBytes]
        words += keys.map(\.redisArgumentBytes)
        words += arguments.map(\.redisArgumentBytes)
        return try withLiveContext(retry: retry) { context throws(RedisError) in
            do throws(RedisError) {
                return try Self.execute(context, words)
            } catch .server(let error) where error.code == "NOSCRIPT" {
                let loaded = try Self.execute(context, [Array("SCRIPT".utf8), Array("LOAD".utf8), Array(script.source.utf8)])
                guard loaded.string == script.sha1 else {
                    throw .unexpectedReply(expected: "the script digest \(script.sha1)", got: loaded.description)
                }
                return try Self.execute(context, words)
            }
        }
    }

    /// The receive and send timeouts currently set on the socket (what the kernel enforces), for checks after a
    /// reconnect; `nil` when there is no live socket.
    func socketTimeouts() -> (receive: Duration, send: Duration)? {
        guard let context, context.pointee.fd >= 0 else { return nil }
        func read(_ option: Int32) -> Duration {
            var value = timeval()
            var length = socklen_t(MemoryLayout<timeval>.size)
            _ = getsockopt(context.pointee.fd, SOL_SOCKET, option, &value, &length)
            return .seconds(Int64(value.tv_sec)) + .microseconds(Int64(value.tv_usec))
        }
        return (read(SO_RCVTIMEO), read(SO_SNDTIMEO))
    }

    // MARK: - Context lifecycle

    /// Runs `body` on a usable context: reconnects first or after a connection loss only when `retry` allows it,
    /// and never more than once per call.
    private func withLiveContext<Result>(
        retry: RedisRetry, _ body: (UnsafeMutablePointer<redisContext>) throws(RedisError) -> Result
    ) throws(RedisError) -> Result {
        guard !isClosed else { throw .closed }
        var reconnectsLeft = retry == .reconnectOnceIfIdempotent ? 1 : 0
        while true {
            if isBroken {
                guard reconnectsLeft > 0 else {
                    throw .connectionBroken("an earlier error left the connection unusable; call reconnect()")
                }
                reconnectsLeft -= 1
                try reconnect()
            }
            guard let context else { throw .connectionBroken("no live connection; call reconnect()") }
            do {
                return try body(context)
            } catch where error.isConnectionLoss && reconnectsLeft > 0 {
                continue
            }
        }
    }

    /// Connects and runs the setup every connection needs; frees the context on any failure.
    private static func open(_ configuration: RedisConfiguration) throws(RedisError) -> UnsafeMutablePointer<redisContext> {
        guard let context = redisConnectWithTimeout(configuration.host, Int32(configuration.port),
                                                    timeval(configuration.connectTimeout)) else {
            throw .connectionFailed(host: configuration.host, port: configuration.port, message: "out of memory")
        }
        guard context.pointee.err == 0 else {
            let message = String(cString: reasoner_redis_errstr(context))
            redisFree(context)
            throw .connectionFailed(host: configuration.host, port: configuration.port, message: message)
        }
        do throws(RedisError) {
            guard redisSetTimeout(context, timeval(configuration.commandTimeout)) == REDIS_OK else {
                throw .connectionFailed(host: configuration.host, port: configuration.port,
                                        message: "cannot set the command timeout: \(String(cString: reasoner_redis_errstr(context)))")
            }
            // Keep-alive makes a silently dead peer (host gone, NAT dropped) show up as an error instead of a hang.
            _ = redisEnableKeepAlive(context)
            if let password = configuration.password {
                var words = [Array("AUTH".utf8)]
                if let username = configuration.username { words.append(Array(username.utf8)) }
                words.append(Array(password.utf8))
                do throws(RedisError) {
                    _ = try execute(context, words)
                } catch .server(let error) {
                    throw .authenticationFailed(message: error.message)
                }
            }
            if configuration.database != 0 {
                do throws(RedisError) {
                    _ = try execute(context, [Array("SELECT".utf8), configuration.database.redisArgumentBytes])
                } catch .server(let error) {
                    throw .databaseSelectFailed(database: configuration.database, message: error.message)
                }
            }
        } catch {
            redisFree(context)
            throw error
        }
        return context
    }

    // MARK: - Raw calls

    /// Sends one command and converts its reply, throwing error replies as ``RedisError/server(_:)``.
    private static func execute(_ context: UnsafeMutablePointer<redisContext>, _ words: [[UInt8]]) throws(RedisError) -> RedisReply {
        let raw = withArgv(words) { argc, argv, lengths in redisCommandArgv(context, argc, argv, lengths) }
        guard let raw else { throw connectionError(context) }
        defer { freeReplyObject(raw) }
        return try convert(raw.assumingMemoryBound(to: redisReply.self)).throwingServerError()
    }

    /// Lays the words out in one buffer and hands hiredis pointers and lengths into it, valid during `body`.
    private static func withArgv<Result>(
        _ words: [[UInt8]], _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> Result
    ) -> Result {
        var joined: [UInt8] = []
        joined.reserveCapacity(words.reduce(1) { $0 + $1.count })
        var offsets: [Int] = []
        var lengths: [Int] = []
        for word in words {
            offsets.append(joined.count)
            lengths.append(word.count)
            joined += word
        }
        joined.append(0)  // never an empty buffer, so every word (even an empty one) has a valid address
        return joined.withUnsafeBufferPointer { buffer in
            let base = UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self)
            var argv: [UnsafePointer<CChar>?] = offsets.map { base + $0 }
            return argv.withUnsafeMutableBufferPointer { argvBuffer in
                lengths.withUnsafeBufferPointer { lengthBuffer in
                    body(Int32(words.count), argvBuffer.baseAddress!, lengthBuffer.baseAddress!)
                }
            }
        }
    }

    /// Turns the error recorded in the context into a typed error; hiredis reports a socket timeout as an I/O
    /// error with `EAGAIN`.
    private static func connectionError(_ context: UnsafeMutablePointer<redisContext>) -> RedisError {
        let savedErrno = errno
        let message = String(cString: reasoner_redis_errstr(context))
        switch context.pointee.err {
        case REDIS_ERR_IO where savedErrno == EAGAIN || savedErrno == EWOULDBLOCK || message.contains("temporarily unavailable"):
            return .timeout(message)
        case REDIS_ERR_PROTOCOL:
            return .protocolError(message)
        case 0:
            return .connectionBroken("hiredis returned no reply without recording an error")
        default:
            return .connectionBroken(message)
        }
    }

    /// Copies a hiredis reply tree into Swift values.
    private static func convert(_ reply: UnsafePointer<redisReply>) throws(RedisError) -> RedisReply {
        let value = reply.pointee
        func bytes() -> [UInt8] {
            guard let text = value.str, value.len > 0 else { return [] }
            return Array(UnsafeRawBufferPointer(start: text, count: value.len))
        }
        switch value.type {
        case REDIS_REPLY_STRING: return .bulk(bytes())
        case REDIS_REPLY_STATUS: return .status(String(decoding: bytes(), as: UTF8.self))
        case REDIS_REPLY_ERROR: return .error(RedisServerError(message: String(decoding: bytes(), as: UTF8.self)))
        case REDIS_REPLY_INTEGER: return .integer(Int64(value.integer))
        case REDIS_REPLY_NIL: return .null
        case REDIS_REPLY_ARRAY:
            var elements: [RedisReply] = []
            elements.reserveCapacity(value.elements)
            for index in 0..<value.elements {
                guard let element = value.element[index] else { throw .protocolError("array element \(index) is missing") }
                elements.append(try convert(element))
            }
            return .array(elements)
        default:
            throw .protocolError("unknown reply type \(value.type)")
        }
    }
}

extension timeval {
    /// A `timeval` from a Swift duration (sub-microsecond parts dropped).
    fileprivate init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self.init(tv_sec: time_t(seconds), tv_usec: suseconds_t(attoseconds / 1_000_000_000_000))
    }
}
