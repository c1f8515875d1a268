import Foundation
import Messaging
import State
import Synchronization
import Training

/// A training run as a leased job's work: the run goes on a thread of its own (it saturates the cores for minutes or
/// hours; on Swift's cooperative pool it would delay the lease renewals), its steps stream into the run's events and
/// its latest step into the run's training record (what `reasoner status` shows),
/// and cancelling the awaiting task (the lease was lost) stops it at the next step, before that step's checkpoint.
struct TrainingWork: Sendable {
    /// Where progress goes.
    let store: any StateStore
    /// The run.
    let runID: String
    /// The job, as named in the events.
    let job: String
    /// Steps between progress events (the last step always has one).
    let every: Int
    /// The job's last step.
    let steps: Int

    /// Runs `body` to its end on a dedicated thread; `body` gets the step observer to hand to the trainer.
    func run<Result: Sendable>(_ body: @escaping @Sendable (@escaping StepObserver) throws -> Result)
        async throws -> Result {
        let stopped = StopFlag()
        let (events, sink) = AsyncStream.makeStream(of: [String: String].self)
        let (store, runID, job, every, steps) = (self.store, self.runID, self.job, self.every, self.steps)
        let forwarding = Task {
            for await fields in events {
                _ = try? await store.append(to: StateKeys.events(runID), fields: fields)
                let loss = fields["loss"].map { " loss \($0)" } ?? ""
                try? await store.setFields([job: "step \(fields["step"] ?? "?")/\(steps)" + loss],
                                           of: StateKeys.training(runID))
            }
        }
        defer { forwarding.cancel() }
        let observer: @Sendable (Int, [String: Double]) throws -> Void = { step, metrics in
            if stopped.isSet { throw CancellationError() }
            guard step % every == 0 || step == steps else { return }
            var fields = ["kind": EventKind.trainStep.rawValue, "job": job, "step": String(step), "steps": String(steps)]
            for (name, value) in metrics where ["loss", "rewards/margins", "rewards/accuracies"].contains(name) {
                fields[name] = String(format: "%.4f", value)
            }
            sink.yield(fields)
        }
        let result = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Result, Error>) in
                let thread = Thread {
                    continuation.resume(with: Swift.Result { try body(observer) })
                }
                thread.name = "train \(job)"
                thread.stackSize = 16 << 20
                thread.start()
            }
        } onCancel: {
            stopped.set()
        }
        sink.finish()
        await forwarding.value
        return result
    }
}

/// Set once, from any thread.
private final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    func set() { value.store(true, ordering: .releasing) }
}

extension TrainingWork {
    /// A training job's handler body: refuses settings no trainer can honour (dead-lettered with the reason), takes
    /// the job's lease (`LeasedJob.handle`), and runs `train` with a step observer on its own thread; the trainer's
    /// errors that no retry can fix become ``HandlerError/permanent(_:)``. Returns the result and the lease that
    /// fences the completion.
    static func leased<Result: Sendable>(
        job: String, optimization: OptimizationConfig, context: HandlerContext, store: any StateStore, every: Int,
        leaseMilliseconds: Int, train: @escaping @Sendable (@escaping StepObserver) throws -> Result
    ) async throws -> (result: Result, lease: Lease) {
        do {
            try optimization.validate()
        } catch {
            throw HandlerError.permanent("\(job): \(error)")
        }
        let work = TrainingWork(store: store, runID: context.runID, job: job, every: every, steps: optimization.steps)
        return try await LeasedJob.handle(job: job, context: context, store: store,
                                          ttlMilliseconds: leaseMilliseconds) { _ in
            try await work.run { observer in
                do {
                    return try train(observer)
                } catch let error as TrainingError where error.isPermanent {
                    throw HandlerError.permanent("\(job): \(error)")
                }
            }
        }
    }

    /// The completion of a finished training job: its skipped rows logged, `train_jobs` and `skippedCounter`
    /// counted, the run's training record set to `done: N steps, loss L`, and a `train.done` event with `fields`.
    static func finished(job: String, steps: Int, loss: String?, skipped: [String], skippedCounter: String,
                         result: [String: String], fields: [String: String], context: HandlerContext,
                         lease: Lease) -> HandlerOutcome {
        for problem in skipped.prefix(20) {
            context.logger.warning("skipped", metadata: ["job": "\(job)", "problem": "\(problem)"])
        }
        let counters = StateKeys.counters(context.runID)
        let record = "done: \(steps) steps" + (loss.map { ", loss \($0)" } ?? "")
        let event = fields.merging(["kind": EventKind.trainDone.rawValue, "job": job, "steps": String(steps)]) { _, fixed in fixed }
        return HandlerOutcome(
            result: result.merging(["steps": String(steps)]) { _, fixed in fixed },
            increments: [CounterIncrement(key: counters, field: Counters.trainJobs, delta: 1),
                         CounterIncrement(key: counters, field: skippedCounter, delta: skipped.count)],
            records: [RecordUpdate(key: StateKeys.training(context.runID), fields: [job: record])],
            events: [StreamAppend(stream: StateKeys.events(context.runID), fields: event)],
            fence: lease)
    }
}

extension TrainingError {
    /// Whether retrying the same job can never help (bad settings or data): the message is dead-lettered with the
    /// reason instead.
    var isPermanent: Bool {
        switch self {
        case .invalidConfiguration, .noUsableData, .unusableRunFolder: true
        }
    }
}
