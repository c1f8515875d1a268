import Testing
@testable import State

/// These tests talk to the real local Redis 7 (`compose/services start`), each with its own random keys.
@Suite struct RedisConnectionTests {
    @Test func binaryValuesWithNULsRoundTrip() throws {
        let connection = try RedisTestServer.connect()
        let key = Array(RedisTestServer.uniqueKey("binary").utf8) + [0, 0xFF, 0]
        let value: [UInt8] = [0, 1, 0, 0xFF, 0x0A, 0x0D, 0, 0x80]
        defer { _ = try? connection.command("DEL", key) }

        #expect(try connection.command("SET", key, value) == .status("OK"))
        #expect(try connection.command("GET", key) == .bulk(value))
        #expect(try connection.command("SET", key, [UInt8]()) == .status("OK"))
        #expect(try connection.command("GET", key) == .bulk([]))
        #expect(try connection.command("GET", RedisTestServer.uniqueKey("missing")) == .null)
    }

    @Test func errorReplyIsTypedAndConnectionStaysUsable() throws {
        let connection = try RedisTestServer.connect()
        let key = RedisTestServer.uniqueKey("wrongtype")
        defer { _ = try? connection.command("DEL", key) }
        try connection.command("SET", key, "text")

        let error = #expect(throws: RedisError.self) { try connection.command("LPUSH", key, "item") }
        guard case .server(let serverError) = error else {
            Issue.record("expected a server error, got \(String(describing: error))")
            return
        }
        #expect(serverError.code == "WRONGTYPE")
        #expect(serverError.message.contains("Operation against a key holding the wrong kind of value"))
        #expect(!connection.isBroken)
        #expect(try connection.command("GET", key).string == "text")
    }

    @Test func pipelineOfAThousandIncrements() throws {
        let connection = try RedisTestServer.connect()
        let key = RedisTestServer.uniqueKey("pipeline")
        defer { _ = try? connection.command("DEL", key) }

        let replies = try connection.pipeline(Array(repeating: ["INCR", key], count: 1000))
        #expect(replies == (1...1000).map { RedisReply.integer(Int64($0)) })
        #expect(try connection.command("GET", key).integer == 1000)
    }

    @Test func pipelineKeepsErrorRepliesInPlace() throws {
        let connection = try RedisTestServer.connect()
        let key = RedisTestServer.uniqueKey("pipeline-error")
        defer { _ = try? connection.command("DEL", key) }

        let replies = try connection.pipeline([["SET", key, "x"], ["INCR", key], ["GET", key]])
        #expect(replies.count == 3)
        #expect(replies[0] == .status("OK"))
        guard case .error(let error) = replies[1] else {
            Issue.record("expected an error reply for INCR of text, got \(replies[1])")
            return
        }
        #expect(error.code == "ERR")
        #expect(replies[2] == .bulk(Array("x".utf8)))
    }

    @Test func evalshaLoadsAnUnknownScriptOnNOSCRIPT() throws {
        let connection = try RedisTestServer.connect()
        // A random nonce makes a script the server has never seen, so the first EVALSHA must meet NOSCRIPT
        // without flushing the server-wide script cache.
        let nonce = UInt64.random(in: 0...UInt64.max)
        let script = RedisScript(source: "return {KEYS[1], ARGV[1], '\(nonce)'}")
        #expect(try connection.command("SCRIPT", "EXISTS", script.sha1) == .array([.integer(0)]))

        let expected = RedisReply.array([.bulk(Array("k".utf8)), .bulk(Array("a".utf8)), .bulk(Array("\(nonce)".utf8))])
        #expect(try connection.evaluate(script, keys: ["k"], arguments: ["a"]) == expected)
        #expect(try connection.command("SCRIPT", "EXISTS", script.sha1) == .array([.integer(1)]))
        #expect(try connection.evaluate(script, keys: ["k"], arguments: ["a"]) == expected)
    }

    @Test func scriptErrorsAreServerErrors() throws {
        let connection = try RedisTestServer.connect()
        let script = RedisScript(source: "return redis.error_reply('NOTREADY lease held \(UInt64.random(in: 0...UInt64.max))')")
        let error = #expect(throws: RedisError.self) { try connection.evaluate(script) }
        guard case .server(let serverError) = error else {
            Issue.record("expected a server error, got \(String(describing: error))")
            return
        }
        #expect(serverError.code == "NOTREADY")
    }

    @Test func streamAddAndRangeRoundTrip() throws {
        let connection = try RedisTestServer.connect()
        let key = RedisTestServer.uniqueKey("stream")
        defer { _ = try? connection.command("DEL", key) }

        var ids: [[UInt8]] = []
        for index in 0..<3 {
            ids.append(try connection.command("XADD", key, "*", "index", index, "payload", [UInt8(index), 0, 0xFE]).requireBytes())
        }
        let entries = try connection.command("XRANGE", key, "-", "+").requireArray()
        #expect(entries.count == 3)
        for (index, entry) in entries.enumerated() {
            let parts = try entry.requireArray()
            #expect(parts.first == .bulk(ids[index]))
            #expect(parts.last == .array([.bulk(Array("index".utf8)), .bulk(Array("\(index)".utf8)),
                                          .bulk(Array("payload".utf8)), .bulk([UInt8(index), 0, 0xFE])]))
        }
    }

    @Test func wrongPasswordIsAnAuthenticationError() throws {
        var configuration = try RedisTestServer.configuration()
        configuration.password = "wrong-\(UInt64.random(in: 0...UInt64.max))"
        let error = #expect(throws: RedisError.self) { try RedisConnection(configuration: configuration) }
        guard case .authenticationFailed(let message) = error else {
            Issue.record("expected authenticationFailed, got \(String(describing: error))")
            return
        }
        #expect(!message.contains(configuration.password ?? ""))
    }

    @Test func aclUserAuthenticatesOnlyWithItsPassword() throws {
        let admin = try RedisTestServer.connect()
        let suffix = UInt64.random(in: 0...UInt64.max)
        let user = "reasoner-test-\(suffix)"
        let password = "pw-\(suffix)"
        try admin.command("ACL", "SETUSER", user, "on", ">" + password, "~reasoner-test:*", "+@all")
        defer { _ = try? admin.command("ACL", "DELUSER", user) }

        var configuration = try RedisTestServer.configuration()
        configuration.username = user
        configuration.password = password + "-wrong"
        let error = #expect(throws: RedisError.self) { try RedisConnection(configuration: configuration) }
        guard case .authenticationFailed(let message) = error else {
            Issue.record("expected authenticationFailed, got \(String(describing: error))")
            return
        }
        #expect(message.hasPrefix("WRONGPASS"))

        configuration.password = password
        let connection = try RedisConnection(configuration: configuration)
        #expect(try connection.command("ACL", "WHOAMI").string == user)
    }

    @Test func commandTimeoutIsTypedAndBreaksTheConnection() throws {
        let connection = try RedisTestServer.connect(commandTimeout: .milliseconds(200))
        let key = RedisTestServer.uniqueKey("never-pushed")
        let error = #expect(throws: RedisError.self) { try connection.command("BLPOP", key, 30) }
        guard case .timeout = error else {
            Issue.record("expected timeout, got \(String(describing: error))")
            return
        }
        #expect(connection.isBroken)
        #expect(throws: RedisError.self) { try connection.command("PING") }
        try connection.reconnect()
        #expect(try connection.command("PING") == .status("PONG"))
    }

    @Test func reconnectAfterClientKillRestoresTimeoutsAndDatabase() throws {
        let commandTimeout = Duration.milliseconds(1500)
        let connection = try RedisTestServer.connect(commandTimeout: commandTimeout)
        let killer = try RedisTestServer.connect()
        let key = RedisTestServer.uniqueKey("reconnect")
        defer { _ = try? killer.command("DEL", key) }
        try connection.command("SET", key, "kept")
        #expect(connection.socketTimeouts()?.receive == commandTimeout)

        // Automatic: an idempotent GET is retried once on a new connection.
        let firstID = try connection.command("CLIENT", "ID").requireInteger()
        #expect(try killer.command("CLIENT", "KILL", "ID", firstID) == .integer(1))
        #expect(try connection.command("GET", key, retry: .reconnectOnceIfIdempotent).string == "kept")
        let secondID = try connection.command("CLIENT", "ID").requireInteger()
        #expect(secondID != firstID)
        #expect(connection.socketTimeouts()?.receive == commandTimeout)
        #expect(connection.socketTimeouts()?.send == commandTimeout)

        // Explicit: without a retry policy the loss is reported, and reconnect() repairs the connection.
        #expect(try killer.command("CLIENT", "KILL", "ID", secondID) == .integer(1))
        let error = #expect(throws: RedisError.self) { try connection.command("GET", key) }
        #expect(error?.isConnectionLoss == true)
        try connection.reconnect()
        #expect(try connection.command("GET", key).string == "kept")
        #expect(connection.socketTimeouts()?.receive == commandTimeout)
    }

    @Test func selectedDatabaseIsTheConfiguredOne() throws {
        let connection = try RedisTestServer.connect()
        let info = try connection.command("CLIENT", "INFO").string ?? ""
        #expect(info.contains(" db=\(RedisTestServer.database) "))
    }

    @Test func unreachableServerIsAConnectionError() throws {
        var configuration = try RedisTestServer.configuration()
        configuration.port = 1  // privileged and unused: the connect is refused at once
        let error = #expect(throws: RedisError.self) { try RedisConnection(configuration: configuration) }
        guard case .connectionFailed(let host, let port, _) = error else {
            Issue.record("expected connectionFailed, got \(String(describing: error))")
            return
        }
        #expect(host == configuration.host)
        #expect(port == 1)
    }

    @Test func databaseOutOfRangeIsASelectError() throws {
        var configuration = try RedisTestServer.configuration()
        configuration.database = 100_000
        let error = #expect(throws: RedisError.self) { try RedisConnection(configuration: configuration) }
        guard case .databaseSelectFailed(let database, let message) = error else {
            Issue.record("expected databaseSelectFailed, got \(String(describing: error))")
            return
        }
        #expect(database == 100_000)
        #expect(message.contains("out of range"))
    }

    @Test func closedConnectionRefusesCommands() throws {
        let connection = try RedisTestServer.connect()
        connection.close()
        #expect(throws: RedisError.closed) { try connection.command("PING") }
        #expect(throws: RedisError.closed) { try connection.reconnect() }
    }
}
