import Foundation
import Logging
import Messaging
import State

/// Drives runs stage by stage: publishes a stage's work, watches its done-marks, and moves the run to the next stage
/// once every awaited message is done.
///
/// All of its state that matters is in the state store (the run record, transitions recorded once with
/// ``StateStore/completeOnce(_:)``, the workers' done-marks), so a coordinator can be killed at any point and another
/// one carries on: it re-publishes the current stage's unfinished messages (the same ids, so nothing is done twice)
/// and continues. It also re-issues a stage's unfinished work when nothing progressed for `reissueAfter` while the
/// stage's queues are empty — messages lost with a purged queue, or dead-lettered and retried by hand.
public actor Coordinator {
    private let broker: any MessageBroker
    private let store: any StateStore
    private let logger: Logger
    private let reissueAfter: Duration
    private let makePlanner: @Sendable (RunRecord) async throws -> any RunPlanner
    private let clock = ContinuousClock()
    private var planners: [String: any RunPlanner] = [:]
    /// Each run's plan of its current stage, made once when the coordinator first sees the stage (plans are pure
    /// functions of the run, so a new coordinator makes the same one): the loop's ticks then only count done-marks.
    private var plans: [String: StagePlan] = [:]
    /// How many plans were made (the loop's own cost; the benchmark and tests read it).
    public private(set) var plansMade = 0
    private var doneIDs: [String: Set<String>] = [:]
    private var lastPublish: [String: (done: Int, at: ContinuousClock.Instant)] = [:]

    /// A coordinator whose runs are planned by `makePlanner` (from the run's record: its pipeline definition).
    public init(broker: any MessageBroker, store: any StateStore, logger: Logger, reissueAfter: Duration = .seconds(600),
                makePlanner: @escaping @Sendable (RunRecord) async throws -> any RunPlanner) {
        self.broker = broker
        self.store = store
        self.logger = logger
        self.reissueAfter = reissueAfter
        self.makePlanner = makePlanner
    }

    /// Registers a run (idempotent for one run id): its record, in state `submitted`, and its entry in the index of
    /// runs that ``advanceAll()`` drives.
    public static func submit(runID: String, pipeline: String, store: any StateStore) async throws {
        let registration = RunRecord.registration(runID: runID, pipeline: pipeline)
        _ = try await store.completeOnce(Completion(
            doneKey: StateKeys.transition(runID, "submitted"), result: ["pipeline": pipeline],
            records: registration.records, events: registration.events))
    }

    /// Advances every active run by one step.
    public func advanceAll() async throws {
        for (runID, state) in try await store.fields(of: StateKeys.runs).sorted(by: { $0.key < $1.key })
        where state == "active" {
            do {
                try await advance(runID)
            } catch {
                logger.error("cannot advance the run", metadata: ["run": "\(runID)", "error": "\(error)"])
            }
        }
    }

    /// Moves one run as far as it can go now: starts it, finishes the stages whose work is done, and publishes (or
    /// re-issues) the work of the stage it stops at. Returns its record afterwards (nil if there is no such run).
    @discardableResult
    public func advance(_ runID: String) async throws -> RunRecord? {
        guard var record = try await RunRecord.read(runID, from: store) else { return nil }
        let planner = try await planner(for: record)
        guard let first = planner.stages.first else {
            return try await transition(record, step: "started", to: nil)
        }
        if record.state == .submitted {
            record = try await transition(record, step: "started", to: first)
        }
        while record.state == .running, let stage = record.stage {
            let plan: StagePlan
            do {
                plan = try await cachedPlan(planner, stage: stage, runID: runID)
            } catch let error as PipelineDefinitionError {
                return try await fail(record, reason: "stage \(stage) cannot be planned: \(error)")
            }
            let failures = try await RunRecord.failures(runID, record: record, from: store)
            let ids = Set(plan.messages.map(\.envelope.id) + plan.awaited)
            if let (message, reason) = failures.filter({ ids.contains($0.key) }).min(by: { $0.key < $1.key }) {
                return try await fail(record, reason: "\(message): \(reason)")
            }
            let done = try await doneCount(plan, runID: runID)
            guard done == plan.awaited.count else {
                try await publishIfDue(plan, runID: runID, done: done, attempt: record.attempt)
                return record
            }
            let index = planner.stages.firstIndex(of: stage) ?? planner.stages.count - 1
            let next = index + 1 < planner.stages.count ? planner.stages[index + 1] : nil
            record = try await transition(record, step: "finished:\(stage)", to: next)
        }
        return record
    }

    /// Records, once per attempt, that the run failed for good at its current stage, with the reason.
    private func fail(_ record: RunRecord, reason: String) async throws -> RunRecord {
        var updated = record
        updated.state = .failed
        updated.reason = reason
        let outcome = try await store.completeOnce(Completion(
            doneKey: StateKeys.transition(record.runID, "failed", attempt: record.attempt), result: ["reason": reason],
            records: [RecordUpdate(key: StateKeys.run(record.runID), fields: updated.fields),
                      RecordUpdate(key: StateKeys.runs, fields: [record.runID: RunRecord.State.failed.rawValue])],
            events: [StreamAppend(stream: StateKeys.events(record.runID), fields: [
                "kind": EventKind.runFailed.rawValue, "stage": record.stage ?? "", "reason": reason,
            ])]))
        if outcome == .completed {
            logger.error("run failed", metadata: ["run": "\(record.runID)", "stage": "\(record.stage ?? "")",
                                                  "reason": "\(reason)"])
        }
        return try await RunRecord.read(record.runID, from: store) ?? updated
    }

    /// The plan of the run's current stage, made on first sight and kept until the run moves on.
    private func cachedPlan(_ planner: any RunPlanner, stage: String, runID: String) async throws -> StagePlan {
        let key = runID + "/" + stage
        if let plan = plans[key] { return plan }
        let plan = try await planner.plan(stage: stage, runID: runID)
        plansMade += 1
        plans = plans.filter { !$0.key.hasPrefix(runID + "/") }
        plans[key] = plan
        return plan
    }

    /// Records one transition of the run once: to stage `next` (running), or, with nil, to done.
    private func transition(_ record: RunRecord, step: String, to next: String?) async throws -> RunRecord {
        var updated = record
        updated.state = next == nil ? .done : .running
        updated.stage = next
        var records = [RecordUpdate(key: StateKeys.run(record.runID), fields: updated.fields)]
        var event = ["kind": EventKind.stageStarted.rawValue, "stage": next ?? ""]
        if next == nil {
            records.append(RecordUpdate(key: StateKeys.runs, fields: [record.runID: "done"]))
            event = ["kind": EventKind.runDone.rawValue]
        }
        let outcome = try await store.completeOnce(Completion(
            doneKey: StateKeys.transition(record.runID, step, attempt: record.attempt), result: ["next": next ?? ""],
            records: records,
            events: [StreamAppend(stream: StateKeys.events(record.runID), fields: event)]))
        if outcome == .completed {
            logger.info("run moved on", metadata: ["run": "\(record.runID)", "after": "\(step)",
                                                   "stage": "\(next ?? "done")"])
        }
        // Whoever recorded it, the stored record is now the truth.
        return try await RunRecord.read(record.runID, from: store) ?? updated
    }

    private func planner(for record: RunRecord) async throws -> any RunPlanner {
        if let planner = planners[record.runID] { return planner }
        let planner = try await makePlanner(record)
        planners[record.runID] = planner
        return planner
    }

    /// How many awaited messages are done (done-marks only ever appear, so known ones are not asked again).
    private func doneCount(_ plan: StagePlan, runID: String) async throws -> Int {
        let key = runID + "/" + plan.stage
        var known = doneIDs[key, default: []]
        known.formUnion(try await finishedIDs(plan.awaited.filter { !known.contains($0) }, runID: runID))
        doneIDs[key] = known
        return known.count
    }

    /// Which of the run's message ids have done-marks, asked a thousand at a time.
    private func finishedIDs(_ messageIDs: [String], runID: String) async throws -> Set<String> {
        var done = Set<String>()
        for start in stride(from: 0, to: messageIDs.count, by: 1_000) {
            let ids = messageIDs[start..<min(messageIDs.count, start + 1_000)]
            let keys = ids.map { StateKeys.done(runID: runID, messageID: $0) }
            let existing = try await store.existingKeys(keys)
            done.formUnion(zip(ids, keys).compactMap { existing.contains($1) ? $0 : nil })
        }
        return done
    }

    /// Publishes the stage's unfinished messages the first time this coordinator sees the stage, and again when
    /// nothing progressed for `reissueAfter` while the stage's queues hold no messages.
    private func publishIfDue(_ plan: StagePlan, runID: String, done: Int, attempt: Int) async throws {
        let key = runID + "/" + plan.stage + "/\(attempt)"
        let now = clock.now
        let reissue = lastPublish[key] != nil
        if let last = lastPublish[key] {
            if done > last.done {
                lastPublish[key] = (done, now)
                return
            }
            guard now - last.at >= reissueAfter else { return }
            for queue in Set(plan.messages.map(\.routingKey)) where try await broker.depth(of: queue) > 0 {
                lastPublish[key] = (done, now)
                return
            }
        }
        let finished = try await finishedIDs(plan.messages.map(\.envelope.id), runID: runID)
        let unfinished = plan.messages.filter { !finished.contains($0.envelope.id) }
        try await broker.publish(unfinished)
        lastPublish[key] = (done, now)
        logger.info(reissue ? "re-issued unfinished work" : "published the stage's work",
                    metadata: ["run": "\(runID)", "stage": "\(plan.stage)", "messages": "\(unfinished.count)"])
    }
}
