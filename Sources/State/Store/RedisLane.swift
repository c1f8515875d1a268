import Dispatch

/// One Redis connection with its own serial queue: blocking hiredis calls run there, never on Swift's cooperative
/// threads, and the connection is never touched by two threads at once.
///
/// `@unchecked Sendable`: the connection is only used inside `queue`, which serialises every access.
final class RedisLane: @unchecked Sendable {
    private let queue: DispatchQueue
    private let connection: RedisConnection

    init(configuration: RedisConfiguration, label: String) throws {
        queue = DispatchQueue(label: "reasoner.redis.\(label)")
        connection = try RedisConnection(configuration: configuration)
    }

    /// Runs `body` with the connection on the lane's queue. A connection left broken by an earlier failure is
    /// reconnected first (with the full setup: timeouts, AUTH, SELECT).
    func run<T: Sendable>(_ body: @escaping @Sendable (RedisConnection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                do {
                    if self.connection.isBroken { try self.connection.reconnect() }
                    continuation.resume(returning: try body(self.connection))
                } catch let error as RedisError {
                    continuation.resume(throwing: RedisStateStore.stateError(error))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    func close() {
        queue.sync { connection.close() }
    }
}
