/// The kinds of entry in a run's event stream (`StateKeys.events`): the one list that workers, the coordinator and
/// the CLI's progress and status read and write.
public enum EventKind: String, Sendable, CaseIterable {
    /// The run was registered.
    case runSubmitted = "run.submitted"
    /// A stage began (`stage`).
    case stageStarted = "stage.started"
    /// Every stage finished.
    case runDone = "run.done"
    /// The run stopped for good (`reason`, `stage`); `reasoner retry` resumes it.
    case runFailed = "run.failed"
    /// The run was resumed after a failure (`stage`, `attempt`).
    case runRetried = "run.retried"
    /// A distillation batch was judged and kept.
    case distillBatch = "distill.batch"
    /// A training step (`job`, `step`, `loss`, DPO's reward metrics).
    case trainStep = "train.step"
    /// A training job finished (`job`, `steps`).
    case trainDone = "train.done"
    /// A sampling shard was written.
    case sampleShard = "sample.shard"
    /// A sampled shard was judged into pairs.
    case judgeShard = "judge.shard"
    /// A verifier shard was sampled and scored.
    case verifierShard = "verifier.shard"
    /// One evaluated answer (`model`, `mode`, `family`, `correct`): the running accuracy.
    case evalItem = "eval.item"
    /// An evaluation shard was written.
    case evalShard = "eval.shard"
    /// The runner wrote the run's suite or report (`task`).
    case runTask = "run.task"
}

/// The names of a run's counters (`StateKeys.counters`), written once by the workers and read by status and reports.
/// Per-family distillation counters are `distill_correct:<family>` and so on (`Counters.perFamily`).
public enum Counters {
    /// Distillation batches done.
    public static let distillBatches = "distill_batches"
    /// Sampling shards written.
    public static let sampleShards = "sample_shards"
    /// Chains sampled.
    public static let sampleChains = "sample_chains"
    /// Sampled items whose image did not read.
    public static let sampleUnreadableImages = "sample_unreadable_images"
    /// Judged shards.
    public static let judgeShards = "judge_shards"
    /// Chains judged correct, wrong, unscorable.
    public static let judgeCorrect = "judge_correct", judgeWrong = "judge_wrong", judgeUnscorable = "judge_unscorable"
    /// Pair building: questions seen and kept, too hard or too easy, without a distinct pair, chosen chains filtered.
    public static let pairsQuestions = "pairs_questions", pairsKeptQuestions = "pairs_kept_questions"
    /// See ``pairsQuestions``.
    public static let pairsTooHard = "pairs_too_hard", pairsTooEasy = "pairs_too_easy"
    /// See ``pairsQuestions``.
    public static let pairsNoDistinct = "pairs_no_distinct", pairsChosenFiltered = "pairs_chosen_filtered"
    /// Pairs built.
    public static let pairs = "pairs"
    /// Training jobs finished.
    public static let trainJobs = "train_jobs"
    /// Verifier shards scored.
    public static let verifierShards = "verifier_shards"
    /// Evaluation shards and answers.
    public static let evalShards = "eval_shards", evalItems = "eval_items"

    /// A per-family counter: `<name>:<family>`.
    public static func perFamily(_ name: String, _ family: String) -> String { "\(name):\(family)" }
}
