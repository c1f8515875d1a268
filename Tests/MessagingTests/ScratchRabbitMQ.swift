import Foundation
#if canImport(Glibc)
import Glibc
#endif
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
        // posix_spawn and waitpid rather than Foundation's Process, whose waitUntilExit can miss the child's exit
        // when called from a Swift concurrency task. Output goes to a file, not a pipe: the broker's daemons outlive
        // the script and would hold a pipe open.
        let log = folder + "-\(verb).log"
        var environment = ProcessInfo.processInfo.environment
        environment["REASONER_SERVICES_DIR"] = folder
        environment["REASONER_AMQP_PORT"] = String(amqpPort)
        environment["REASONER_RABBIT_DIST_PORT"] = String(amqpPort + 20_000)
        environment["REASONER_EPMD_PORT"] = String(amqpPort - 1_000)
        let arguments = ["/bin/bash", "-c", "exec \"$0\" \"$1\" rabbitmq </dev/null >\"$2\" 2>&1", script, verb, log]
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        guard posix_spawn(&pid, "/bin/bash", nil, nil, argv, envp) == 0 else {
            Issue.record("cannot run \(script)")
            throw CancellationError()
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        guard status == 0 else {
            Issue.record("compose/services \(verb) rabbitmq failed (status \(status)): \(text)")
            throw CancellationError()
        }
    }
}
