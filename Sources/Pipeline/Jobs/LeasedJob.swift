import Foundation
import Logging
import State

/// A long job (training) under a lease: RabbitMQ's consumer timeout (30 min) forbids holding a message for hours,
/// so the worker takes a lease in the state store, acknowledges the message, and works while a keeper renews the
/// lease. If a renewal fails (the lease expired and another worker took the job), the work is cancelled; its
/// results are fenced anyway (``Completion/fence``), so a stale worker can never record them.
public enum LeasedJob {
    /// What became of the job.
    public enum Outcome<Result: Sendable>: Sendable {
        /// The work finished while the lease was held.
        case finished(Result, lease: Lease)
        /// Another worker holds the lease: nothing was done.
        case heldElsewhere(Lease?)
        /// The lease was lost during the work, which was cancelled.
        case lost
    }

    /// Takes the lease `name` for `holder`, runs `work` while renewing every `ttlMilliseconds / 3`, then releases it.
    /// `work` receives the lease (to fence its completion) and should check for cancellation between steps
    /// (checkpoints). Run CPU-heavy steps off Swift's cooperative threads (a thread of their own): a saturated
    /// cooperative pool delays the renewals, and a renewal later than the TTL loses the lease.
    public static func run<Result: Sendable>(
        _ name: String, holder: String, ttlMilliseconds: Int, store: any StateStore, logger: Logger,
        releaseWhenFinished: Bool = true, work: @escaping @Sendable (Lease) async throws -> Result
    ) async throws -> Outcome<Result> {
        guard let lease = try await store.acquireLease(name, holder: holder, ttlMilliseconds: ttlMilliseconds) else {
            return .heldElsewhere(try await store.currentLease(name))
        }
        let outcome = try await withThrowingTaskGroup(of: Outcome<Result>?.self) { group in
            group.addTask {
                .finished(try await work(lease), lease: lease)
            }
            group.addTask {
                while true {
                    try await Task.sleep(for: .milliseconds(max(1, ttlMilliseconds / 3)))
                    if try await !store.renewLease(lease, ttlMilliseconds: ttlMilliseconds) {
                        logger.warning("lease lost; stopping the job", metadata: ["lease": "\(name)"])
                        return .lost
                    }
                }
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first ?? .lost
        }
        if releaseWhenFinished, case .finished = outcome { try await store.releaseLease(lease) }
        return outcome
    }
}

extension LeasedJob {
    /// The body of a long job's handler (a training run): takes the job's lease (named after the run and `job`),
    /// acknowledges the delivery early (the lease now keeps the job; RabbitMQ's consumer timeout would not), runs
    /// `work`, and returns its result with the lease to fence the completion with — still held, so the completion
    /// passes the fence; it lapses after its TTL (a redelivery meanwhile finds the done-mark first). If another
    /// worker holds the lease, or takes it over during the work, throws ``HandlerError/ownedElsewhere(_:)``.
    public static func handle<Result: Sendable>(
        job: String, context: HandlerContext, store: any StateStore, ttlMilliseconds: Int = 60_000,
        work: @escaping @Sendable (Lease) async throws -> Result
    ) async throws -> (result: Result, lease: Lease) {
        let name = StateKeys.lease(runID: context.runID, job: job)
        let holder = "\(ProcessInfo.processInfo.hostName) pid \(getpid())"
        let acknowledge = context.acknowledgeEarly
        let outcome = try await run(name, holder: holder, ttlMilliseconds: ttlMilliseconds, store: store,
                                    logger: context.logger, releaseWhenFinished: false) { lease in
            try await acknowledge()
            return try await work(lease)
        }
        switch outcome {
        case .finished(let result, let lease):
            return (result, lease)
        case .heldElsewhere(let current):
            throw HandlerError.ownedElsewhere("\(job) is running under \(current?.holder ?? "another worker")'s lease")
        case .lost:
            throw HandlerError.ownedElsewhere("the lease of \(job) passed to another worker during the work")
        }
    }
}
