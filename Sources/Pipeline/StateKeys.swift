/// The one place that names Redis keys: everything of a run lives under `reasoner:run:<run id>:`.
public enum StateKeys {
    /// The run's record (stage, counts, settings).
    public static func run(_ runID: String) -> String { "reasoner:run:\(runID)" }
    /// The run's counters.
    public static func counters(_ runID: String) -> String { "reasoner:run:\(runID):counters" }
    /// The run's training jobs: job name → its latest progress (`step 40/150 loss 1.2345`, then `done ...`).
    public static func training(_ runID: String) -> String { "reasoner:run:\(runID):training" }
    /// The run's event stream.
    public static func events(_ runID: String) -> String { "reasoner:run:\(runID):events" }
    /// The done-mark (and stored result) of one message of a run.
    public static func done(runID: String, messageID: String) -> String { "reasoner:run:\(runID):done:\(messageID)" }
    /// The once-mark of a run's stage transition (`started`, or the stage that finished); a retried run's
    /// transitions are marked per attempt, so finishing a stage again moves it on again.
    public static func transition(_ runID: String, _ step: String, attempt: Int = 0) -> String {
        "reasoner:run:\(runID):transition:" + (attempt == 0 ? step : "a\(attempt):\(step)")
    }
    /// The messages of a run that failed for good: message id → `<token> <reason>` (the token tells a new failure of
    /// a retried message from the one the retry cleared).
    public static func failures(_ runID: String) -> String { "reasoner:run:\(runID):failures" }
    /// The index of every submitted run: run id → `active` or `done`.
    public static let runs = "reasoner:runs"
    /// The fleet's processes, each stamped with when it last said it was alive (see `Presence`).
    public static let workers = "reasoner:workers"
    /// The lease of a long job of a run (a training job).
    public static func lease(runID: String, job: String) -> String { "reasoner:run:\(runID):lease:\(job)" }
}
