import Messaging
import State
import Testing
@testable import Pipeline

@Test func statusReportsDistillationTeacherCostAndQueues() async throws {
    let store = InMemoryStateStore()
    let broker = InMemoryBroker()
    try await broker.declare(FleetTopology.standard)
    let counters = StateKeys.counters("r9")
    for (field, value) in ["distill_batches": 2, "distill_correct": 170, "distill_wrong": 25, "distill_unscorable": 3,
                           "distill_failed": 2, "teacher_calls": 198, "teacher_prompt_tokens": 160_776,
                           "teacher_completion_tokens": 19_008, "teacher_cost_microdollars": 1_089_000] {
        _ = try await store.increment(field, of: counters, by: value)
    }
    let status = try await RunStatus.read(runID: "r9", store: store, broker: broker)
    #expect(status.teacherDollars == 1.089)
    #expect(status.report.contains("kept 170, dropped 25 wrong + 3 unscorable, failed 2"))
    #expect(status.report.contains("$1.0890"))
    #expect(status.queueDepths.count == FleetTopology.standard.queues.count * 2)
}
