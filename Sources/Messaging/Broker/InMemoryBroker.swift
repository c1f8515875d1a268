/// The in-process broker of the embedded mode and of unit tests of logic: the same contract as RabbitMQ quorum queues
/// (confirms are immediate, deliveries are acknowledged manually, returns count towards a delivery limit, dead letters
/// carry their reason), without a server. Messages live in memory only.
public actor InMemoryBroker: MessageBroker {
    /// The header naming why a message was dead-lettered.
    public static let deadLetterReasonHeader = "x-reasoner-dead-letter-reason"
    /// The header naming the queue a dead letter came from.
    public static let originalQueueHeader = "x-reasoner-original-queue"

    private struct Stored {
        var body: Received.Body
        var returns: Int
    }

    private struct QueueState {
        var declaration: QueueDeclaration?
        var ready: [Stored] = []
        var readyStart = 0
        var inFlight: [UInt64: (message: Stored, consumer: Int)] = [:]

        var readyCount: Int { ready.count - readyStart }

        mutating func popFirst() -> Stored? {
            guard readyStart < ready.count else { return nil }
            let first = ready[readyStart]
            readyStart += 1
            if readyStart > 64, readyStart * 2 > ready.count {
                ready.removeFirst(readyStart)
                readyStart = 0
            }
            return first
        }

        mutating func pushFront(_ message: Stored) {
            if readyStart > 0 {
                readyStart -= 1
                ready[readyStart] = message
            } else {
                ready.insert(message, at: 0)
            }
        }
    }

    private struct ConsumerState {
        let queue: String
        let prefetch: Int
        var inFlight = 0
        var waiting: CheckedContinuation<Received?, any Error>?
        var cancelled = false
    }

    private var topology: Topology?
    private var queues: [String: QueueState] = [:]
    private var consumers: [Int: ConsumerState] = [:]
    private var nextConsumer = 0
    private var nextTag: UInt64 = 0

    /// An empty broker.
    public init() {}

    public func declare(_ topology: Topology) async throws {
        if let existing = self.topology, existing != topology {
            for queue in topology.queues {
                if let old = existing.queue(named: queue.name), old != queue {
                    throw BrokerError.queueRedeclaredDifferently(queue: queue.name)
                }
            }
        }
        var merged = self.topology?.queues ?? []
        for queue in topology.queues where !merged.contains(queue) { merged.append(queue) }
        self.topology = Topology(workExchange: topology.workExchange, eventsExchange: topology.eventsExchange,
                                 deadLetterExchange: topology.deadLetterExchange, queues: merged)
        for queue in topology.queues {
            queues[queue.name, default: QueueState()].declaration = queue
            queues[queue.deadLetterQueue, default: QueueState()].declaration = nil
        }
    }

    public func publish(_ messages: [OutgoingMessage]) async throws {
        guard let topology else { throw BrokerError.notDeclared }
        // Route everything first: like a batch of confirms, either every message is routable or the call fails.
        var routed: [(String, Envelope)] = []
        for message in messages {
            let targets = route(message, in: topology)
            guard !targets.isEmpty else {
                throw BrokerError.unroutable(exchange: message.exchange, routingKey: message.routingKey)
            }
            for target in targets { routed.append((target, message.envelope)) }
        }
        for (queue, envelope) in routed { enqueue(Stored(body: .envelope(envelope), returns: 0), on: queue) }
    }

    /// Puts raw bytes on a queue, as a foreign client would: the consumer sees them as undecodable.
    public func publishRaw(_ body: [UInt8], toQueue queue: String) throws {
        guard queues[queue] != nil else { throw BrokerError.unknownQueue(queue) }
        enqueue(Stored(body: .raw(body), returns: 0), on: queue)
    }

    public func consume(queue: String, prefetch: Int) async throws -> any MessageConsumer {
        guard queues[queue] != nil else { throw BrokerError.unknownQueue(queue) }
        precondition(prefetch >= 1, "prefetch must be at least 1")
        nextConsumer += 1
        consumers[nextConsumer] = ConsumerState(queue: queue, prefetch: prefetch)
        return InMemoryConsumer(broker: self, id: nextConsumer)
    }

    public func depth(of queue: String) async throws -> Int {
        guard let state = queues[queue] else { throw BrokerError.unknownQueue(queue) }
        return state.readyCount
    }

    public func purge(_ queue: String) async throws -> Int {
        guard var state = queues[queue] else { throw BrokerError.unknownQueue(queue) }
        let count = state.readyCount
        state.ready = []
        state.readyStart = 0
        queues[queue] = state
        return count
    }

    // MARK: Consumer operations

    fileprivate func next(consumer id: Int) async throws -> Received? {
        guard let consumer = consumers[id], !consumer.cancelled else { return nil }
        if let received = take(for: id) { return received }
        guard consumers[id]?.waiting == nil else { throw BrokerError.concurrentNext }
        return try await withCheckedThrowingContinuation { continuation in
            consumers[id]?.waiting = continuation
        }
    }

    fileprivate func ack(tag: UInt64, consumer id: Int) throws {
        let queue = try settle(tag: tag, consumer: id)
        dispatch(queue)
    }

    fileprivate func reject(tag: UInt64, requeue: Bool, consumer id: Int) throws {
        guard let queueName = consumers[id]?.queue, let entry = queues[queueName]?.inFlight[tag] else {
            throw BrokerError.unknownDelivery(tag: tag)
        }
        _ = try settle(tag: tag, consumer: id)
        if requeue {
            giveBack(entry.message, to: queueName)
        } else {
            deadLetter(entry.message, from: queueName, reason: "rejected without requeue")
        }
        dispatch(queueName)
    }

    fileprivate func deadLetter(tag: UInt64, reason: String, consumer id: Int) throws {
        guard let queueName = consumers[id]?.queue, let entry = queues[queueName]?.inFlight[tag] else {
            throw BrokerError.unknownDelivery(tag: tag)
        }
        _ = try settle(tag: tag, consumer: id)
        deadLetter(entry.message, from: queueName, reason: reason)
        dispatch(queueName)
    }

    fileprivate func cancel(consumer id: Int) {
        guard var consumer = consumers[id] else { return }
        consumer.cancelled = true
        consumer.waiting?.resume(returning: nil)
        consumer.waiting = nil
        consumers[id] = consumer
        let queueName = consumer.queue
        let owned = (queues[queueName]?.inFlight ?? [:]).filter { $0.value.consumer == id }.sorted { $0.key > $1.key }
        for (tag, entry) in owned {
            queues[queueName]?.inFlight[tag] = nil
            giveBack(entry.message, to: queueName)
        }
        consumers[id] = nil
        dispatch(queueName)
    }

    // MARK: Internals

    private func route(_ message: OutgoingMessage, in topology: Topology) -> [String] {
        if message.exchange == topology.workExchange {
            return topology.queues.filter { $0.eventsPattern == nil && $0.routingKey == message.routingKey }.map(\.name)
        }
        if message.exchange == topology.eventsExchange {
            return topology.queues.filter { queue in
                guard let pattern = queue.eventsPattern else { return false }
                return TopicPattern.matches(pattern: pattern, routingKey: message.routingKey)
            }.map(\.name)
        }
        if message.exchange.isEmpty, queues[message.routingKey] != nil { return [message.routingKey] }
        return []
    }

    private func enqueue(_ message: Stored, on queue: String) {
        queues[queue, default: QueueState()].ready.append(message)
        dispatch(queue)
    }

    /// A returned message counts as one more delivery; past the queue's limit it is dead-lettered.
    private func giveBack(_ message: Stored, to queue: String) {
        var message = message
        message.returns += 1
        if let limit = queues[queue]?.declaration?.deliveryLimit, message.returns > limit {
            deadLetter(message, from: queue, reason: "delivery limit of \(limit) exceeded")
        } else {
            queues[queue]?.pushFront(message)
        }
    }

    private func deadLetter(_ message: Stored, from queue: String, reason: String) {
        guard let target = queues[queue]?.declaration?.deadLetterQueue else { return }
        var body = message.body
        if case .envelope(var envelope) = body {
            envelope.headers[Self.deadLetterReasonHeader] = reason
            envelope.headers[Self.originalQueueHeader] = queue
            body = .envelope(envelope)
        }
        enqueue(Stored(body: body, returns: 0), on: target)
    }

    private func settle(tag: UInt64, consumer id: Int) throws -> String {
        guard let queueName = consumers[id]?.queue, queues[queueName]?.inFlight[tag]?.consumer == id else {
            throw BrokerError.unknownDelivery(tag: tag)
        }
        queues[queueName]?.inFlight[tag] = nil
        consumers[id]?.inFlight -= 1
        return queueName
    }

    private func take(for id: Int) -> Received? {
        guard let consumer = consumers[id], consumer.inFlight < consumer.prefetch,
              let message = queues[consumer.queue]?.popFirst() else { return nil }
        nextTag += 1
        queues[consumer.queue]?.inFlight[nextTag] = (message, id)
        consumers[id]?.inFlight += 1
        switch message.body {
        case .envelope(let envelope):
            return .message(Delivery(envelope: envelope, queue: consumer.queue, redelivered: message.returns > 0,
                                     previousDeliveries: message.returns, tag: nextTag))
        case .raw(let bytes):
            return .undecodable(UndecodableDelivery(queue: consumer.queue, reason: "not a Reasoner message",
                                                    body: bytes, tag: nextTag))
        }
    }

    private func dispatch(_ queue: String) {
        for (id, consumer) in consumers.sorted(by: { $0.key < $1.key }) where consumer.queue == queue {
            guard let waiting = consumer.waiting, let received = take(for: id) else { continue }
            consumers[id]?.waiting = nil
            waiting.resume(returning: received)
        }
    }
}

extension Received {
    /// What the in-memory broker stores: an envelope, or foreign bytes.
    enum Body: Sendable {
        case envelope(Envelope)
        case raw([UInt8])
    }
}

/// A consumer of the in-memory broker.
struct InMemoryConsumer: MessageConsumer {
    let broker: InMemoryBroker
    let id: Int

    func next() async throws -> Received? {
        try await withTaskCancellationHandler {
            try await broker.next(consumer: id)
        } onCancel: {
            Task { await broker.cancel(consumer: id) }
        }
    }

    func ack(tag: UInt64) async throws { try await broker.ack(tag: tag, consumer: id) }

    func reject(tag: UInt64, requeue: Bool) async throws {
        try await broker.reject(tag: tag, requeue: requeue, consumer: id)
    }

    func deadLetter(_ received: Received, reason: String) async throws {
        try await broker.deadLetter(tag: received.tag, reason: reason, consumer: id)
    }

    func cancel() async { await broker.cancel(consumer: id) }
}
