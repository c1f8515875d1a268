import Foundation
import Synchronization
import Testing
@testable import Messaging

/// Stops and restarts a RabbitMQ while a producer and a consumer run: every confirmed message must be consumed.
@Test func everyConfirmedMessageSurvivesABrokerRestart() async throws {
    let rabbit = ScratchRabbitMQ(portOffset: 11)
    defer { rabbit.remove() }
    try rabbit.start()
    let broker = AMQPBroker(configuration: rabbit.configuration, reconnectPatience: .seconds(600))  // a loaded machine restarts slowly
    defer { broker.shutdown() }
    let topology = BrokerConformance.topology(BrokerConformance.uniquePrefix())
    let queue = topology.queues[0]
    try await broker.declare(topology)

    let total = 300
    let confirmed = Mutex<Set<String>>([])
    let consumed = Mutex<Set<String>>([])
    let deliveries = Atomic<Int>(0)

    let consumer = try await broker.consume(queue: queue.name, prefetch: 20)
    let consuming = Task {
        while consumed.withLock({ $0.count }) < total {
            guard case .message(let delivery)? = try await consumer.next() else { continue }
            deliveries.add(1, ordering: .relaxed)
            _ = consumed.withLock { $0.insert(delivery.envelope.id) }
            try? await consumer.ack(tag: delivery.tag)  // an ack lost with the connection means a redelivery
        }
    }
    let producing = Task {
        for batch in stride(from: 0, to: total, by: 10) {
            let messages = try (batch..<(batch + 10)).map { n in
                try BrokerConformance.ping(n, topology, id: "m\(n)")
            }
            try await broker.publish(messages)  // retries through the outage; returns once confirmed
            confirmed.withLock { $0.formUnion(messages.map(\.envelope.id)) }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    while confirmed.withLock({ $0.count }) < 100 { try await Task.sleep(for: .milliseconds(20)) }
    try rabbit.stop()
    try await Task.sleep(for: .seconds(1))
    try rabbit.start()

    try await producing.value
    try await consuming.value
    await consumer.cancel()
    #expect(confirmed.withLock { $0.count } == total)
    #expect(consumed.withLock { $0 } == confirmed.withLock { $0 }, "every confirmed message is consumed")
    #expect(deliveries.load(ordering: .relaxed) >= total, "redeliveries may repeat messages, never lose them")
}
