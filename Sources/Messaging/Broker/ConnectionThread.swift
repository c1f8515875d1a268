import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A thread that owns one ``AMQPConnection`` and runs every operation on it, so the connection is only ever touched
/// by one thread, and keeps it serviced (heartbeats, incoming frames) between operations.
///
/// Operations are closures sent with ``perform(_:)``; a pipe wakes the thread from its wait on the socket. When idle
/// the thread calls `pump` (for a consumer: read a delivery) whenever the socket has input, and at least every half
/// heartbeat interval. `@unchecked Sendable`: the connection is confined to the thread; the shared queue of
/// operations is guarded by a mutex.
final class ConnectionThread: @unchecked Sendable {
    typealias Operation = @Sendable (AMQPConnection) -> Void

    private let connection: AMQPConnection
    private let pump: (AMQPConnection) throws -> Void
    private let onFailure: @Sendable (any Error) -> Void
    /// Queued operations, and whether the thread has ended (then nothing more is queued).
    private struct Queue {
        var operations: [Operation] = []
        var ended = false
    }

    private let queue = Mutex(Queue())
    private let stopping = Atomic<Bool>(false)
    private var wakeRead: Int32 = -1
    private var wakeWrite: Int32 = -1
    private var thread: Thread?

    /// Starts a thread for `connection`. `pump` runs when the socket has input; `onFailure` is told once if the
    /// connection fails (the thread then ends).
    init(connection: AMQPConnection, name: String, pump: @escaping (AMQPConnection) throws -> Void,
         onFailure: @escaping @Sendable (any Error) -> Void) {
        self.connection = connection
        self.pump = pump
        self.onFailure = onFailure
        var ends: [Int32] = [0, 0]
        precondition(pipe(&ends) == 0, "cannot create a pipe: \(String(cString: strerror(errno)))")
        wakeRead = ends[0]
        wakeWrite = ends[1]
        _ = fcntl(wakeRead, F_SETFL, fcntl(wakeRead, F_GETFL) | O_NONBLOCK)
        let thread = Thread { [self] in self.loop() }
        thread.name = name
        self.thread = thread
        thread.start()
    }

    deinit {
        close(wakeRead)
        close(wakeWrite)
    }

    /// Runs `body` on the connection's thread and returns its result.
    func perform<T: Sendable>(_ body: @escaping @Sendable (AMQPConnection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let accepted = queue.withLock { queue -> Bool in
                guard !queue.ended else { return false }
                queue.operations.append { connection in
                    do {
                        continuation.resume(returning: try body(connection))
                    } catch {
                        continuation.resume(throwing: error)
                    }
                }
                return true
            }
            if accepted {
                wake()
            } else {
                continuation.resume(throwing: BrokerError.connection("the AMQP connection is closed"))
            }
        }
    }

    /// Closes the connection (politely) and ends the thread; operations still queued fail.
    func stop() {
        guard !stopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        wake()
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    private func loop() {
        let heartbeatMilliseconds = connection.configuration.heartbeatSeconds > 0
            ? connection.configuration.heartbeatSeconds * 500 : 1000
        var failed = false
        while !stopping.load(ordering: .acquiring) {
            let pending = queue.withLock { queue -> [Operation] in
                defer { queue.operations.removeAll() }
                return queue.operations
            }
            for operation in pending { operation(connection) }
            do {
                if connection.hasBufferedInput {
                    try pump(connection)
                    continue
                }
                var descriptors = [pollfd(fd: connection.fileDescriptor, events: Int16(POLLIN), revents: 0),
                                   pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
                let ready = poll(&descriptors, 2, Int32(min(heartbeatMilliseconds, 1000)))
                if ready > 0, descriptors[1].revents != 0 {
                    var buffer = [UInt8](repeating: 0, count: 64)
                    while read(wakeRead, &buffer, buffer.count) > 0 {}
                }
                // Even without input: let rabbitmq-c send a due heartbeat and notice a silent server.
                try pump(connection)
            } catch {
                failed = true
                onFailure(error)
                break
            }
        }
        stopping.store(true, ordering: .releasing)
        let leftovers = queue.withLock { queue -> [Operation] in
            queue.ended = true
            defer { queue.operations.removeAll() }
            return queue.operations
        }
        if !failed { connection.close() }
        // Operations queued before the end still get an answer: the closed connection refuses them.
        for operation in leftovers { operation(connection) }
    }
}
