import Foundation
import Messaging
import State

/// What `reasoner status` shows of a run: its counters (items distilled, kept, dropped, failed; teacher calls, tokens
/// and cost), its training jobs' progress and the depth of every work queue and dead-letter queue.
public struct RunStatus: Sendable {
    /// The run's counters, by name.
    public var counters: [String: Int]
    /// The run's training jobs and their latest progress.
    public var training: [String: String] = [:]
    /// Ready messages per queue (work queues and their dead-letter queues).
    public var queueDepths: [(queue: String, depth: Int)]

    /// Reads a run's status from the state store and the broker.
    public static func read(runID: String, store: any StateStore, broker: any MessageBroker) async throws -> RunStatus {
        let fields = try await store.fields(of: StateKeys.counters(runID))
        var depths: [(String, Int)] = []
        for queue in FleetTopology.standard.queues {
            depths.append((queue.name, try await broker.depth(of: queue.name)))
            depths.append((queue.deadLetterQueue, try await broker.depth(of: queue.deadLetterQueue)))
        }
        return RunStatus(counters: fields.compactMapValues { Int($0) },
                         training: try await store.fields(of: StateKeys.training(runID)), queueDepths: depths)
    }

    /// The teacher's spend so far, in dollars.
    public var teacherDollars: Double { Double(counters["teacher_cost_microdollars"] ?? 0) / 1e6 }

    /// A plain-text report.
    public var report: String {
        var lines: [String] = []
        let distilled = ["correct", "wrong", "unscorable", "failed"].map { counters["distill_\($0)"] ?? 0 }
        if distilled.reduce(0, +) > 0 {
            lines.append("distill: \(counters["distill_batches"] ?? 0) batches; kept \(distilled[0]), dropped "
                         + "\(distilled[1]) wrong + \(distilled[2]) unscorable, failed \(distilled[3])")
        }
        for (job, progress) in training.sorted(by: { $0.key < $1.key }) { lines.append("train \(job): \(progress)") }
        if let calls = counters["teacher_calls"] {
            lines.append("teacher: \(calls) paid calls, \(counters["teacher_prompt_tokens"] ?? 0) prompt + "
                         + "\(counters["teacher_completion_tokens"] ?? 0) completion tokens, "
                         + "$" + String(format: "%.4f", teacherDollars))
        }
        if lines.isEmpty { lines.append("no counters yet for this run") }
        lines.append("queues (ready messages):")
        for (queue, depth) in queueDepths { lines.append("  \(queue): \(depth)") }
        return lines.joined(separator: "\n")
    }
}
