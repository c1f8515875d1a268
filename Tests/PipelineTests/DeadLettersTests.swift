import Foundation
import Messaging
import Testing
@testable import Pipeline

private struct Note: WorkMessage {
    static let typeName = "test.note"
    static let schemaVersion = 1
    var text: String
}

@Test func deadLettersCanBeListedRetriedAndDropped() async throws {
    let broker = InMemoryBroker()
    try await broker.declare(FleetTopology.standard)
    let queue = FleetTopology.Queue.judge
    try await broker.publish((1...3).map { n in
        FleetTopology.work(queue, try! Envelope(Note(text: "\(n)"), id: "n\(n)", runID: "r1"))
    })
    let consumer = try await broker.consume(queue: queue, prefetch: 3)
    for _ in 1...3 {
        let received = try #require(try await consumer.next())
        try await consumer.deadLetter(received, reason: "bad shard")
    }
    await consumer.cancel()
    let letters = DeadLetters(broker: broker)
    let listed = try await letters.list(queue)
    #expect(listed.map(\.id) == ["n1", "n2", "n3"] && listed.allSatisfy { $0.reason == "bad shard" })
    #expect(try await broker.depth(of: queue + ".dlq") == 3, "listing leaves them in place")
    #expect(try await letters.retry(queue) == 3)
    #expect(try await broker.depth(of: queue) == 3)
    #expect(try await broker.depth(of: queue + ".dlq") == 0)
    let again = try await broker.consume(queue: queue, prefetch: 1)
    let first = try #require(try await again.next())
    try await again.deadLetter(first, reason: "still bad")
    await again.cancel()
    #expect(try await letters.drop(queue) == 1)
}
