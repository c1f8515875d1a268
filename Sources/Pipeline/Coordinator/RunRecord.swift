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
    }

    /// The run id.
    public var runID: String
    /// Where the run is.
    public var state: State
    /// The stage in progress (nil before the first and after the last).
    public var stage: String?
    /// The pipeline definition's path in the artifacts volume.
    public var pipeline: String

    /// Makes a record.
    public init(runID: String, state: State, stage: String? = nil, pipeline: String) {
        self.runID = runID
        self.state = state
        self.stage = stage
        self.pipeline = pipeline
    }

    /// The record's fields as stored.
    public var fields: [String: String] {
        var fields = ["state": state.rawValue, "pipeline": pipeline]
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
        return RunRecord(runID: runID, state: state, stage: stage, pipeline: fields["pipeline"] ?? "")
    }
}
