import State

/// A run's record in the state store (`StateKeys.run`): where the run is and what it was asked to do.
public struct RunRecord: Sendable, Equatable {
    /// Where a run is.
    public enum State: String, Sendable {
        /// Submitted; the coordinator has not started it.
        case submitted
        /// A stage is in progress.
        case running
        /// Every stage finished.
        case done
        /// A message of the current stage failed for good (`reason`); `reasoner retry` resumes the run.
        case failed
    }

    /// The run id.
    public var runID: String
    /// Where the run is.
    public var state: State
    /// The stage in progress (nil before the first and after the last).
    public var stage: String?
    /// The pipeline definition's path in the artifacts volume.
    public var pipeline: String
    /// Why the run failed (empty unless it did).
    public var reason: String = ""
    /// How many times the run was retried (transitions are marked per attempt).
    public var attempt: Int = 0
    /// The failure marks a retry cleared (`message id=token`), which the coordinator no longer counts.
    public var cleared: Set<String> = []

    /// Makes a record.
    public init(runID: String, state: State, stage: String? = nil, pipeline: String, reason: String = "",
                attempt: Int = 0, cleared: Set<String> = []) {
        self.runID = runID
        self.state = state
        self.stage = stage
        self.pipeline = pipeline
        self.reason = reason
        self.attempt = attempt
        self.cleared = cleared
    }

    /// The record's fields as stored.
    public var fields: [String: String] {
        var fields = ["state": state.rawValue, "pipeline": pipeline, "reason": reason, "attempt": String(attempt),
                      "cleared": cleared.sorted().joined(separator: "\n")]
        fields["stage"] = stage ?? ""
        return fields
    }

    /// What registering a new run writes: its record (state `submitted`), its entry in the index of runs, and the
    /// first event of its stream.
    public static func registration(runID: String, pipeline: String) -> (records: [RecordUpdate], events: [StreamAppend]) {
        let record = RunRecord(runID: runID, state: .submitted, pipeline: pipeline)
        return ([RecordUpdate(key: StateKeys.run(runID), fields: record.fields),
                 RecordUpdate(key: StateKeys.runs, fields: [runID: "active"])],
                [StreamAppend(stream: StateKeys.events(runID), fields: ["kind": "run.submitted", "pipeline": pipeline])])
    }

    /// Reads a run's record; nil if there is none.
    public static func read(_ runID: String, from store: any StateStore) async throws -> RunRecord? {
        let fields = try await store.fields(of: StateKeys.run(runID))
        guard let raw = fields["state"], let state = State(rawValue: raw) else { return nil }
        let stage = fields["stage"].flatMap { $0.isEmpty ? nil : $0 }
        let cleared = Set((fields["cleared"] ?? "").split(separator: "\n").map(String.init))
        return RunRecord(runID: runID, state: state, stage: stage, pipeline: fields["pipeline"] ?? "",
                         reason: fields["reason"] ?? "", attempt: Int(fields["attempt"] ?? "") ?? 0, cleared: cleared)
    }

    /// The failure marks of a run that count: message id → reason (cleared ones left out).
    public static func failures(_ runID: String, record: RunRecord, from store: any StateStore) async throws
        -> [String: String] {
        var out: [String: String] = [:]
        for (message, value) in try await store.fields(of: StateKeys.failures(runID)) {
            let parts = value.split(separator: " ", maxSplits: 1)
            guard let token = parts.first, !record.cleared.contains("\(message)=\(token)") else { continue }
            out[message] = parts.count > 1 ? String(parts[1]) : ""
        }
        return out
    }
}
