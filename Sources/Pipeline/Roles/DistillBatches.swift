import Artifacts
import Messaging
import State

/// A distillation cut into batches: enqueue them, and wait
/// until every batch is done (by the run's counters, which workers update once per batch).
public struct DistillBatches: Sendable {
    /// The run.
    public var runID: String
    /// The items to distill (suite items JSONL in the artifacts volume).
    public var dataset: ArtifactRef
    /// How many items (lines) the dataset has.
    public var itemCount: Int
    /// Items per batch.
    public var batchSize: Int
    /// The teacher.
    public var teacher: TeacherSpec

    /// Makes a stage.
    public init(runID: String, dataset: ArtifactRef, itemCount: Int, batchSize: Int, teacher: TeacherSpec) {
        precondition(batchSize >= 1, "a batch holds at least one item")
        self.runID = runID
        self.dataset = dataset
        self.itemCount = itemCount
        self.batchSize = batchSize
        self.teacher = teacher
    }

    /// The batches, with stable message ids: enqueuing them twice enqueues the same work, done once.
    public func batches() throws -> [(id: String, batch: DistillBatch)] {
        try stride(from: 0, to: itemCount, by: batchSize).enumerated().map { index, first in
            let output = try RunLayout(runID: runID).distillBatch(index)
            return ("\(runID).distill.\(index)",
                    DistillBatch(dataset: dataset, firstLine: first, lineCount: min(batchSize, itemCount - first),
                                 teacher: teacher, output: output))
        }
    }

    /// The batches as messages for the distiller queue.
    public func messages() throws -> [OutgoingMessage] {
        try batches().map { id, batch in
            FleetTopology.work(FleetTopology.Queue.distiller, try Envelope(batch, id: id, runID: runID))
        }
    }

    /// Enqueues every batch on the distiller queue.
    public func enqueue(on broker: any MessageBroker) async throws {
        try await broker.publish(try messages())
    }

    /// Waits until every batch is counted done, calling `progress(done, total)` as batches finish.
    public func waitUntilDone(store: any StateStore, progress: @Sendable (Int, Int) -> Void) async throws {
        try await waitUntil(batchesDone: try batches().count, store: store, progress: progress)
    }

    /// Enqueues the batches a window at a time and stops enqueuing once the run's teacher cost reaches
    /// `budgetDollars` (batches already enqueued still finish: they may have been paid for). Returns how many batches
    /// were enqueued.
    public func runWithinBudget(_ budgetDollars: Double, window: Int = 4, broker: any MessageBroker,
                                store: any StateStore, progress: @Sendable (Int, Int) -> Void) async throws -> Int {
        precondition(window >= 1, "the window holds at least one batch")
        let all = try messages()
        var enqueued = 0
        while enqueued < all.count {
            let spent = Double(try await counter("teacher_cost_microdollars", store: store)) / 1e6
            if spent >= budgetDollars { break }
            let next = all[enqueued..<min(all.count, enqueued + window)]
            try await broker.publish(Array(next))
            enqueued += next.count
            try await waitUntil(batchesDone: enqueued, store: store) { done, _ in progress(done, all.count) }
        }
        return enqueued
    }

    private func counter(_ field: String, store: any StateStore) async throws -> Int {
        Int(try await store.fields(of: StateKeys.counters(runID))[field] ?? "0") ?? 0
    }

    private func waitUntil(batchesDone target: Int, store: any StateStore,
                           progress: @Sendable (Int, Int) -> Void) async throws {
        var cursor = StreamID.start
        var done = try await counter("distill_batches", store: store)
        progress(done, target)
        while done < target {
            let events = try await store.follow(StateKeys.events(runID), after: cursor, limit: 100, waitMilliseconds: 1000)
            if let last = events.last { cursor = last.id }
            done = try await counter("distill_batches", store: store)
            progress(done, target)
        }
    }
}
