import Foundation
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
            var fields = ["kind": "train.step", "job": job, "step": String(step)]
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

extension TrainingError {
    /// Whether retrying the same job can never help (bad settings or data): the message is dead-lettered with the
    /// reason instead.
    var isPermanent: Bool {
        switch self {
        case .invalidConfiguration, .noUsableData, .unusableRunFolder: true
        }
    }
}
