import Foundation
import ServiceLifecycle
import State

/// Tells the fleet a process is alive: every `interval` it stamps its name (`<role> <host> pid <pid>`) with the
/// time in the `reasoner:workers` record, which `reasoner status` reads as "workers seen".
public struct Presence: Service {
    private let store: any StateStore
    private let name: String
    private let interval: Duration

    /// The presence of this process as `role`.
    public init(role: String, store: any StateStore, interval: Duration = .seconds(10)) {
        self.store = store
        self.name = "\(role) \(ProcessInfo.processInfo.hostName) pid \(getpid())"
        self.interval = interval
    }

    /// Stamps until graceful shutdown, then marks the process stopped. A stamp that fails (Redis restarting) is
    /// skipped: presence is advisory and must never stop the worker it describes.
    public func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            try? await store.setFields([name: String(Int(Date().timeIntervalSince1970))], of: StateKeys.workers)
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch is CancellationError {
                break
            }
        }
        try? await store.setFields([name: "stopped"], of: StateKeys.workers)
    }

    /// The processes stamped within `window` seconds of `now`, with how many seconds ago.
    public static func seen(in store: any StateStore, window: Int = 60,
                            now: Int = Int(Date().timeIntervalSince1970)) async throws -> [(name: String, ago: Int)] {
        try await store.fields(of: StateKeys.workers).compactMap { name, stamp in
            guard let time = Int(stamp), now - time <= window else { return nil }
            return (name, max(0, now - time))
        }.sorted { $0.name < $1.name }
    }
}
