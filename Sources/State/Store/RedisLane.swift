import Dispatch
import Foundation

/// One Redis connection with its own serial queue: blocking hiredis calls run there, never on Swift's cooperative
/// threads, and the connection is never touched by two threads at once.
///
/// `@unchecked Sendable`: the connection is only used inside `queue`, which serialises every access.
final class RedisLane: @unchecked Sendable {
    private let queue: DispatchQueue
    private let connection: RedisConnection
    /// How long a command waits for Redis to come back (a restart, a failover) before its error is reported.
    let patience: Duration

    init(configuration: RedisConfiguration, label: String, patience: Duration = .seconds(120)) throws {
        queue = DispatchQueue(label: "reasoner.redis.\(label)")
        connection = try RedisConnection(configuration: configuration)
        self.patience = patience
    }

    /// Runs `body` with the connection on the lane's queue. A connection left broken by an earlier failure is
    /// reconnected first (with the full setup: timeouts, AUTH, SELECT). While Redis is away (restarting, or still
    /// loading its append-only file) the lane waits with backoff, up to `patience`: a command not yet sent is always
    /// retried; one whose connection broke in flight only when `idempotent` (it may have run).
    func run<T: Sendable>(idempotent: Bool = true, _ body: @escaping @Sendable (RedisConnection) throws -> T)
        async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                let deadline = ContinuousClock.now + self.patience
                var wait = Duration.milliseconds(100)
                while true {
                    var sent = false
                    do {
                        if self.connection.isBroken { try self.connection.reconnect() }
                        sent = true
                        continuation.resume(returning: try body(self.connection))
                        return
                    } catch let error as RedisError where Self.isOutage(error) && (!sent || idempotent)
                        && ContinuousClock.now + wait < deadline {
                        Thread.sleep(forTimeInterval: Double(wait.components.attoseconds) / 1e18
                                     + Double(wait.components.seconds))
                        wait = min(wait * 2, .seconds(5))
                    } catch let error as RedisError {
                        continuation.resume(throwing: RedisStateStore.stateError(error))
                        return
                    } catch {
                        continuation.resume(throwing: error)
                        return
                    }
                }
            }
        }
    }

    /// Whether the error means Redis is away for now (down, restarting, loading its data), not that the command is
    /// wrong.
    static func isOutage(_ error: RedisError) -> Bool {
        switch error {
        case .connectionFailed, .connectionBroken, .timeout: true
        case .server(let reply): reply.code == "LOADING" || reply.code == "BUSY" || reply.code == "MASTERDOWN"
        default: false
        }
    }

    func close() {
        queue.sync { connection.close() }
    }
}
