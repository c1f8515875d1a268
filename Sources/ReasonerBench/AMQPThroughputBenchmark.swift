import ArgumentParser
import Foundation
import Messaging

/// `reasoner-bench amqp-throughput`: messages/s of persistent 1 KB messages through a quorum queue on the local
/// RabbitMQ with ``AMQPConnection`` (publish with pipelined confirms, then consume with one ack each), side by side
/// with pika doing the same workload (`Tests/Reference/amqp_throughput_pika.py`) in the same run.
struct AMQPThroughputBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "amqp-throughput",
        abstract: "Messages/s through a quorum queue (confirmed publish + consume + ack): Messaging vs pika."
    )

    @Option(help: "Messages per round (each is published, confirmed, consumed and acked).")
    var count = 20_000

    @Option(help: "Body size in bytes.")
    var size = 1024

    @Option(help: "Publishes in flight before waiting for their confirms.")
    var window = 256

    @Option(help: "basic.qos prefetch count of the consumer.")
    var prefetch: UInt16 = 256

    @Option(help: "Rounds per client, alternating Swift and pika; the best round of each is compared.")
    var rounds = 3

    @Option(help: "Python interpreter with pika installed.")
    var python = ".local/pika/bin/python"

    @Option(help: "The pika peer script.")
    var pikaScript = "Tests/Reference/amqp_throughput_pika.py"

    @Flag(help: "Skip the pika column.")
    var skipPika = false

    func validate() throws {
        guard count > 0, size >= 0, window > 0, prefetch > 0, rounds > 0 else {
            throw ValidationError("--count, --window, --prefetch and --rounds must be positive and --size not negative")
        }
    }

    func run() throws {
        let url = ProcessInfo.processInfo.environment["REASONER_AMQP_URL"] ?? "amqp://guest:guest@127.0.0.1:5679/%2F"
        print("amqp-throughput: \(count) persistent messages of \(size) B per round through a quorum queue; "
              + "confirm window \(window), prefetch \(prefetch), \(rounds) rounds, "
              + "\(ProcessInfo.processInfo.activeProcessorCount) cores")
        print("round  client     publish msg/s  consume msg/s  round trip msg/s")
        var best: [String: Rates] = [:]
        for round in 1...rounds {
            let ours = try AMQPThroughputWorkload(url: url, count: count, size: size, window: window,
                                                  prefetch: prefetch).run()
            Self.report(round: round, client: "Messaging", ours)
            best["swift"] = Rates.best(best["swift"], ours)
            if !skipPika {
                let peer = try runPika(url: url)
                Self.report(round: round, client: "pika", peer)
                best["pika"] = Rates.best(best["pika"], peer)
            }
        }
        if let swift = best["swift"], let pika = best["pika"] {
            print(String(format: "best round trip: Messaging %.0f msg/s, pika %.0f msg/s, ratio %.2fx "
                         + "(publish %.2fx, consume %.2fx)", swift.roundTrip, pika.roundTrip,
                         swift.roundTrip / pika.roundTrip, swift.publish / pika.publish, swift.consume / pika.consume))
        }
    }

    private static func report(round: Int, client: String, _ rates: Rates) {
        let name = client.padding(toLength: 9, withPad: " ", startingAt: 0)
        print(String(format: "%5d  ", round) + name
              + String(format: "  %13.0f  %13.0f  %16.0f", rates.publish, rates.consume, rates.roundTrip))
    }

    /// Runs the pika script; the URL travels in the environment so the password stays out of argv.
    private func runPika(url: String) throws -> Rates {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [pikaScript, "--count", "\(count)", "--size", "\(size)", "--window", "\(window)",
                             "--prefetch", "\(prefetch)"]
        var environment = ProcessInfo.processInfo.environment
        environment["REASONER_AMQP_URL"] = url
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        do {
            try process.run()
        } catch {
            throw ValidationError("cannot run \(python) (\(error)); create the venv: python3 -m venv .local/pika && "
                                  + ".local/pika/bin/pip install pika, or pass --skip-pika")
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        struct Report: Decodable {
            var publish_per_second: Double
            var consume_per_second: Double
            var round_trip_per_second: Double
        }
        guard process.terminationStatus == 0, let line = String(data: data, encoding: .utf8)?
            .split(separator: "\n").last, let report = try? JSONDecoder().decode(Report.self, from: Data(line.utf8))
        else { throw ValidationError("the pika script failed (exit \(process.terminationStatus)); see its output") }
        return Rates(publish: report.publish_per_second, consume: report.consume_per_second,
                     roundTrip: report.round_trip_per_second)
    }
}

/// Messages per second of one round.
struct Rates {
    var publish: Double
    var consume: Double
    var roundTrip: Double

    /// The better of two rounds by round-trip rate.
    static func best(_ a: Rates?, _ b: Rates) -> Rates {
        guard let a else { return b }
        return a.roundTrip >= b.roundTrip ? a : b
    }
}

/// One round of the workload with ``AMQPConnection``: the same steps as the pika script, in the same order.
struct AMQPThroughputWorkload {
    var url: String
    var count: Int
    var size: Int
    var window: Int
    var prefetch: UInt16

    func run() throws -> Rates {
        let configuration = try AMQPConfiguration(url: url)
        let setup = try AMQPConnection(configuration: configuration)
        defer { setup.close() }
        let queue = "reasoner-bench.swift.\(UInt64.random(in: 0...UInt64.max))"
        try setup.declareQueue(.quorum(queue, deliveryLimit: 1_000, deadLetterExchange: nil, deadLetterRoutingKey: nil))
        defer { try? setup.deleteQueue(queue) }
        let body = (0..<size).map { UInt8($0 % 251) }
        let message = AMQPMessage(properties: AMQPProperties(contentType: "application/octet-stream", persistent: true),
                                  body: body)
        let clock = ContinuousClock()

        let publishStart = clock.now
        let publisher = try AMQPConnection(configuration: configuration)
        try publisher.enablePublisherConfirms()
        var sent = 0
        while sent < count {
            let batch = min(window, count - sent)
            for _ in 0..<batch { try publisher.publish(message, exchange: "", routingKey: queue, mandatory: true) }
            sent += batch
            let report = try publisher.waitForConfirms(timeout: .seconds(60))
            guard report.allDelivered, report.acknowledged.count == batch else {
                throw ValidationError("the broker did not ack every message: \(report)")
            }
        }
        publisher.close()
        let publishSeconds = Self.seconds(clock.now - publishStart)

        let consumeStart = clock.now
        let consumer = try AMQPConnection(configuration: configuration)
        try consumer.setPrefetch(prefetch)
        try consumer.consume(queue: queue)
        var received = 0
        let deadline = clock.now + .seconds(120)
        while received < count {
            guard clock.now < deadline else { throw ValidationError("deliveries stalled; is the broker healthy?") }
            guard let delivery = try consumer.nextDelivery(timeout: .seconds(1)) else { continue }
            guard delivery.message.body.count == size else {
                throw ValidationError("received \(delivery.message.body.count) bytes, expected \(size)")
            }
            try consumer.ack(delivery.deliveryTag)
            received += 1
        }
        consumer.close()
        let consumeSeconds = Self.seconds(clock.now - consumeStart)
        return Rates(publish: Double(count) / publishSeconds, consume: Double(count) / consumeSeconds,
                     roundTrip: Double(count) / (publishSeconds + consumeSeconds))
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
