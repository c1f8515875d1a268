import Artifacts
import Foundation
import Messaging
import State

/// What every worker process connects to, read from its environment (never from argv: URLs may hold passwords):
/// `REASONER_AMQP_URL` (+ `REASONER_AMQP_PASSWORD` or `REASONER_AMQP_PASSWORD_FILE`), `REASONER_REDIS_URL`
/// (+ `REASONER_REDIS_PASSWORD` or `REASONER_REDIS_PASSWORD_FILE`) and `REASONER_ARTIFACTS` (the shared volume).
public struct FleetConnections: Sendable {
    /// The broker.
    public let broker: AMQPBroker
    /// The state store.
    public let store: RedisStateStore
    /// The artifacts volume.
    public let artifacts: ArtifactStore

    /// Connects as `role` (the name RabbitMQ shows for its connections).
    public static func fromEnvironment(role: String,
                                       environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> FleetConnections {
        var amqp = try AMQPConfiguration.fromEnvironment(environment)
        amqp.connectionName = "reasoner \(role) pid \(getpid())"
        return FleetConnections(broker: AMQPBroker(configuration: amqp),
                                store: try RedisStateStore(configuration: try RedisConfiguration.fromEnvironment()),
                                artifacts: try ArtifactStore(root: try artifactsRoot(environment)))
    }

    /// `REASONER_ARTIFACTS`, the shared volume's root.
    public static func artifactsRoot(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> String {
        guard let root = environment["REASONER_ARTIFACTS"], !root.isEmpty else {
            throw FleetConfigurationError.missing("REASONER_ARTIFACTS",
                                                  "set it to the artifacts volume shared by every worker")
        }
        return root
    }
}

/// A worker's settings are missing or wrong.
public enum FleetConfigurationError: Error, CustomStringConvertible {
    /// An environment variable is missing; the text says what to set.
    case missing(String, String)

    public var description: String {
        switch self {
        case .missing(let name, let advice): return "\(name) is not set: \(advice)"
        }
    }
}
