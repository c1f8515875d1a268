import Foundation
import Testing
@testable import Messaging

@Suite struct AMQPConnectionTests {
    @Test func publishWithConfirmThenConsumeAndAckRoundTrips() throws {
        let connection = try AMQPTestServer.connect()
        defer { connection.close() }
        let queue = AMQPTestServer.unique("roundtrip")
        try connection.declareQueue(.quorum(queue, deliveryLimit: 3, deadLetterExchange: nil, deadLetterRoutingKey: nil))
        defer { try? connection.deleteQueue(queue) }
        try connection.enablePublisherConfirms()
        let body: [UInt8] = [0, 1, 2, 255, 0, 10, 13] + Array("héllo".utf8)
        let message = AMQPMessage(properties: AMQPProperties(contentType: "application/octet-stream", messageID: "m-1",
                                                             type: "test.binary", headers: ["x-run": .string("r1")]),
                                  body: body)
        let tag = try connection.publish(message, exchange: "", routingKey: queue)
        #expect(tag == 1)
        let report = try connection.waitForConfirms(timeout: .seconds(10))
        #expect(report.acknowledged == [1] && report.allDelivered)

        try connection.setPrefetch(1)
        try connection.consume(queue: queue)
        let delivery = try #require(try next(connection))
        #expect(delivery.message.body == body, "binary bodies survive byte for byte")
        #expect(delivery.message.properties.messageID == "m-1")
        #expect(delivery.message.properties.type == "test.binary")
        #expect(delivery.message.properties.persistent)
        #expect(delivery.message.properties.headers["x-run"] == .string("r1"))
        #expect(!delivery.redelivered)
        try connection.ack(delivery.deliveryTag)
        #expect(try connection.queueStatus(queue).messageCount == 0)
    }

    @Test func pipelinedConfirmsAcknowledgeEveryMessage() throws {
        let connection = try AMQPTestServer.connect()
        defer { connection.close() }
        let queue = AMQPTestServer.unique("pipelined")
        try connection.declareQueue(.quorum(queue, deliveryLimit: 3, deadLetterExchange: nil, deadLetterRoutingKey: nil))
        defer { try? connection.deleteQueue(queue) }
        try connection.enablePublisherConfirms()
        let body = [UInt8](repeating: 42, count: 1024)
        for index in 0..<500 {
            try connection.publish(AMQPMessage(properties: AMQPProperties(messageID: "m\(index)"), body: body),
                                   exchange: "", routingKey: queue)
        }
        let report = try connection.waitForConfirms(timeout: .seconds(30))
        #expect(report.acknowledged.count == 500 && report.refused.isEmpty && report.returned.isEmpty)
        #expect(Set(report.acknowledged) == Set(1...500))
        #expect(try connection.queueStatus(queue).messageCount == 500)
    }

    @Test func unroutableMandatoryMessagesComeBack() throws {
        let connection = try AMQPTestServer.connect()
        defer { connection.close() }
        let exchange = AMQPTestServer.unique("nowhere")
        try connection.declareExchange(ExchangeSpec(name: exchange, kind: .direct, durable: false, autoDelete: false))
        defer { try? connection.deleteExchange(exchange) }
        try connection.enablePublisherConfirms()
        try connection.publish(AMQPMessage(properties: AMQPProperties(messageID: "lost-1"), body: [1]),
                               exchange: exchange, routingKey: "no-queue-bound")
        let report = try connection.waitForConfirms(timeout: .seconds(10))
        #expect(!report.allDelivered)
        #expect(report.returned.count == 1)
        #expect(report.returned.first?.replyCode == 312)
        #expect(report.returned.first?.message.properties.messageID == "lost-1")
    }

    @Test func rejectedPastTheDeliveryLimitLandsInTheDeadLetterQueue() throws {
        let connection = try AMQPTestServer.connect()
        defer { connection.close() }
        let queue = AMQPTestServer.unique("limited"), dead = queue + ".dlq", exchange = queue + ".dlx"
        try connection.declareExchange(ExchangeSpec(name: exchange, kind: .direct))
        try connection.declareQueue(.quorum(dead, deliveryLimit: 10, deadLetterExchange: nil, deadLetterRoutingKey: nil))
        try connection.bindQueue(dead, exchange: exchange, routingKey: dead)
        try connection.declareQueue(.quorum(queue, deliveryLimit: 2, deadLetterExchange: exchange, deadLetterRoutingKey: dead))
        defer {
            try? connection.deleteQueue(queue)
            try? connection.deleteQueue(dead)
            try? connection.deleteExchange(exchange)
        }
        try connection.enablePublisherConfirms()
        try connection.publish(AMQPMessage(properties: AMQPProperties(messageID: "poison"), body: Array("bad".utf8)),
                               exchange: "", routingKey: queue)
        #expect(try connection.waitForConfirms(timeout: .seconds(10)).allDelivered)
        try connection.setPrefetch(1)
        let consumer = try connection.consume(queue: queue)
        var deliveries = 0
        while true {
            guard let delivery = try next(connection, within: .seconds(3)) else { break }
            deliveries += 1
            try connection.reject(delivery.deliveryTag, requeue: true)
        }
        #expect(deliveries == 3, "a delivery limit of 2 allows three deliveries, then dead-letters")
        try connection.cancel(consumerTag: consumer)
        let status = try connection.queueStatus(dead)
        #expect(status.messageCount == 1)
        try connection.consume(queue: dead)
        let letter = try #require(try next(connection))
        #expect(letter.message.properties.messageID == "poison")
        #expect(letter.message.body == Array("bad".utf8))
        let death = letter.message.properties.headers["x-death"]
        guard case .array(let records)? = death, case .table(let first)? = records.first else {
            Issue.record("a dead letter carries x-death, got \(String(describing: death))")
            return
        }
        #expect(first["reason"] == .string("delivery_limit"))
        #expect(first["queue"] == .string(queue))
        try connection.ack(letter.deliveryTag)
    }

    @Test func redeclaringWithOtherArgumentsIsATyped406AndTheConnectionGoesOn() throws {
        let connection = try AMQPTestServer.connect()
        defer { connection.close() }
        let queue = AMQPTestServer.unique("strict")
        try connection.declareQueue(.quorum(queue, deliveryLimit: 3, deadLetterExchange: nil, deadLetterRoutingKey: nil))
        defer { try? connection.deleteQueue(queue) }
        try connection.declareQueue(.quorum(queue, deliveryLimit: 3, deadLetterExchange: nil, deadLetterRoutingKey: nil))
        #expect {
            try connection.declareQueue(.quorum(queue, deliveryLimit: 7, deadLetterExchange: nil, deadLetterRoutingKey: nil))
        } throws: { error in
            (error as? AMQPError)?.replyCode == 406
        }
        #expect(try connection.queueStatus(queue).messageCount == 0, "the channel reopens for the next operation")
    }

    @Test func aMissingQueueIsATyped404() throws {
        let connection = try AMQPTestServer.connect()
        defer { connection.close() }
        #expect {
            _ = try connection.queueStatus(AMQPTestServer.unique("missing"))
        } throws: { error in
            (error as? AMQPError)?.replyCode == 404
        }
    }

    @Test func aWrongPasswordIsAnAuthenticationError() throws {
        var configuration = try AMQPTestServer.configuration()
        configuration.password = "not-the-password"
        #expect {
            _ = try AMQPConnection(configuration: configuration)
        } throws: { error in
            guard case AMQPError.authenticationFailed(let user, _) = error else { return false }
            return user == configuration.user && !String(describing: error).contains("not-the-password")
        }
    }

    @Test func aClosedPortIsAConnectionError() throws {
        var configuration = try AMQPTestServer.configuration()
        configuration.port = 1  // nothing listens there
        #expect {
            _ = try AMQPConnection(configuration: configuration)
        } throws: { error in
            guard case AMQPError.connectionFailed = error else { return false }
            return true
        }
    }

    @Test(arguments: [
        ("amqp://u:p%40ss@rabbit:5673/%2F", "rabbit", 5673, "u", "p@ss", "/"),
        ("amqp://rabbit", "rabbit", 5672, "guest", "guest", "/"),
        ("amqp://a:b@h/reasoner", "h", 5672, "a", "b", "reasoner"),
    ])
    func urlsParse(url: String, host: String, port: Int, user: String, password: String, vhost: String) throws {
        let configuration = try AMQPConfiguration(url: url)
        #expect(configuration.host == host && configuration.port == port && configuration.user == user)
        #expect(configuration.password == password && configuration.virtualHost == vhost)
        #expect(!configuration.description.contains(":\(password)@"), "the password is never printed")
    }

    /// The next delivery within `within`, polling as a consumer loop would.
    private func next(_ connection: AMQPConnection, within: Duration = .seconds(10)) throws -> AMQPDelivery? {
        let deadline = ContinuousClock.now + within
        while ContinuousClock.now < deadline {
            if let delivery = try connection.nextDelivery(timeout: .milliseconds(200)) { return delivery }
        }
        return nil
    }
}
