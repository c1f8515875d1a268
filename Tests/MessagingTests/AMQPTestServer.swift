import Foundation
import Testing
@testable import Messaging

/// The RabbitMQ the tests use: `REASONER_AMQP_URL`, by default the one `compose/services start` runs on loopback.
enum AMQPTestServer {
    static func configuration() throws -> AMQPConfiguration {
        let url = ProcessInfo.processInfo.environment["REASONER_AMQP_URL"] ?? "amqp://guest:guest@127.0.0.1:5679/%2F"
        return try AMQPConfiguration(url: url)
    }

    /// A connection, or a failure that says how to start the server.
    static func connect(heartbeatSeconds: Int = 30) throws -> AMQPConnection {
        var configuration = try configuration()
        configuration.heartbeatSeconds = heartbeatSeconds
        do {
            return try AMQPConnection(configuration: configuration)
        } catch {
            Issue.record("RabbitMQ is not reachable at \(configuration) (\(error)); start it with compose/services start")
            throw error
        }
    }

    static func unique(_ prefix: String) -> String { "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())" }
}
