@testable import State

/// How StateTests reach the shared local Redis.
enum RedisTestServer {
    /// StateTests work in their own database so their keys never mix with other suites' keys in db 0.
    static let database = 11

    /// The server from `REASONER_REDIS_URL` (default `redis://127.0.0.1:6390/0`), switched to ``database``.
    static func configuration(commandTimeout: Duration = .seconds(5)) throws -> RedisConfiguration {
        var configuration = try RedisConfiguration.fromEnvironment()
        configuration.database = database
        configuration.commandTimeout = commandTimeout
        return configuration
    }

    /// A fresh connection; a missing server fails the test with the command that starts it.
    static func connect(commandTimeout: Duration = .seconds(5)) throws -> RedisConnection {
        let configuration = try configuration(commandTimeout: commandTimeout)
        do {
            return try RedisConnection(configuration: configuration)
        } catch {
            throw RedisTestServerUnavailable(configuration: configuration, underlying: error)
        }
    }

    /// A key no other test (or run) uses.
    static func uniqueKey(_ purpose: String) -> String {
        "reasoner-test:\(purpose):\(UInt64.random(in: 0...UInt64.max))"
    }
}

/// The local Redis could not be reached.
struct RedisTestServerUnavailable: Error, CustomStringConvertible {
    /// Where the test looked.
    let configuration: RedisConfiguration
    /// Why the connection failed.
    let underlying: RedisError

    var description: String {
        "Redis at \(configuration) is unreachable (\(underlying)); start the local services with `compose/services start`"
    }
}
