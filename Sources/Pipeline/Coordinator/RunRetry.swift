import State

/// Resuming a failed run once its cause is fixed (`reasoner retry`): the failure marks seen so far are cleared, the
/// run is active again at its failed stage (or at `stage`), and its transitions count from a new attempt, so the
/// coordinator re-issues the stage's unfinished messages (finished ones keep their done-marks) and moves on.
public enum RunRetry {
    /// Why a run cannot be retried.
    public enum Refusal: Error, Equatable, CustomStringConvertible {
        /// No run of that id.
        case unknown(String)
        /// The run has not failed.
        case notFailed(String, RunRecord.State)

        public var description: String {
            switch self {
            case .unknown(let run): "there is no run \(run); `reasoner status` lists the runs"
            case .notFailed(let run, let state): "run \(run) is \(state.rawValue), not failed: nothing to retry"
            }
        }
    }

    /// Marks the failed run `runID` active again at `stage` (default: the stage it failed at); returns the record.
    @discardableResult
    public static func retry(_ runID: String, stage: String? = nil, store: any StateStore) async throws -> RunRecord {
        guard var record = try await RunRecord.read(runID, from: store) else { throw Refusal.unknown(runID) }
        guard record.state == .failed else { throw Refusal.notFailed(runID, record.state) }
        for (message, value) in try await store.fields(of: StateKeys.failures(runID)) {
            if let token = value.split(separator: " ", maxSplits: 1).first { record.cleared.insert("\(message)=\(token)") }
        }
        record.state = .running
        record.stage = stage ?? record.stage
        record.reason = ""
        record.attempt += 1
        _ = try await store.completeOnce(Completion(
            doneKey: StateKeys.transition(runID, "retried", attempt: record.attempt), result: [:],
            records: [RecordUpdate(key: StateKeys.run(runID), fields: record.fields),
                      RecordUpdate(key: StateKeys.runs, fields: [runID: "active"])],
            events: [StreamAppend(stream: StateKeys.events(runID), fields: [
                "kind": EventKind.runRetried.rawValue, "stage": record.stage ?? "", "attempt": String(record.attempt),
            ])]))
        return try await RunRecord.read(runID, from: store) ?? record
    }
}
