import Messaging

/// One stage of a run as the coordinator sees it: the messages that do its work and the message ids whose
/// done-marks together say the stage is finished.
///
/// Plans are pure functions of the run (same run, same stage → same plan, same message ids), so publishing a plan
/// twice — after a coordinator restart, or to re-issue lost work — enqueues the same messages, which the workers'
/// done-marks make happen once.
public struct StagePlan: Sendable {
    /// The stage's name (`sft`, `sample`, ...).
    public var stage: String
    /// The work messages.
    public var messages: [OutgoingMessage]
    /// The ids (of this run's messages) that must all be done; by default the work messages' own ids. A stage whose
    /// workers hand on to another role (a sampler shard to the judge) awaits the follow-ups' ids instead.
    public var awaited: [String]

    /// A plan whose stage is finished when `awaited` (default: every message) is done.
    public init(stage: String, messages: [OutgoingMessage], awaited: [String]? = nil) {
        self.stage = stage
        self.messages = messages
        self.awaited = awaited ?? messages.map(\.envelope.id)
    }
}

/// Turns a run's definition into stage plans. The coordinator owns the order and the bookkeeping; a planner only
/// says what each stage's work is.
public protocol RunPlanner: Sendable {
    /// The stages, in order.
    var stages: [String] { get }
    /// The plan of one stage of run `runID`. It may write small artifacts the work needs (manifests of earlier
    /// stages' outputs), deterministically; it runs again after a restart.
    func plan(stage: String, runID: String) async throws -> StagePlan
}
