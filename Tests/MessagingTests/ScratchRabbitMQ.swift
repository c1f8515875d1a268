import Foundation
import TestSupport
import Testing
@testable import Messaging

/// A RabbitMQ of the test's own (its own ports and folder, through `compose/services`), for tests that stop and
/// restart the broker without disturbing the shared one.
struct ScratchRabbitMQ {
    let folder: String
    let amqpPort: Int
    private let script: String

    init(portOffset: Int) {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("rabbit-\(UUID().uuidString.prefix(8))").path
        amqpPort = 5700 + portOffset
        // The repository root is three levels above this file (Tests/MessagingTests/ScratchRabbitMQ.swift).
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        script = root.appendingPathComponent("compose/services").path
    }

    var configuration: AMQPConfiguration {
        AMQPConfiguration(host: "127.0.0.1", port: amqpPort, heartbeatSeconds: 5, connectTimeout: .seconds(2))
    }

    func start() throws { try run("start") }
    func stop() throws { try run("stop") }

    func remove() {
        try? run("stop")
        try? FileManager.default.removeItem(atPath: folder)
    }

    private func run(_ verb: String) throws {
        let (status, output) = try ChildProcess.run(script, [verb, "rabbitmq"], environment: [
            "REASONER_SERVICES_DIR": folder,
            "REASONER_AMQP_PORT": String(amqpPort),
            "REASONER_RABBIT_DIST_PORT": String(amqpPort + 20_000),
            "REASONER_EPMD_PORT": String(amqpPort - 1_000),
        ])
        guard status == 0 else {
            Issue.record("compose/services \(verb) rabbitmq failed (status \(status)): \(output)")
            throw CancellationError()
        }
    }
}
