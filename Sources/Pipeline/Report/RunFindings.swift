import ReasonerData
import Training

/// What one run found, beyond its accuracy table: `eval/findings.json`, which the report of an experiment's seeds
/// pools, and the numbers that tell a real gain from a lucky one (calibration.md, trial 2).
public struct RunFindings: Codable, Sendable, Equatable {
    /// The run.
    public var runID: String
    /// The suite's seed.
    public var seed: UInt64
    /// The students evaluated, in the table's order.
    public var students: [String]
    /// Accuracy per student, mode and number of steps of the question (`"<student>/<mode>/<steps>"`).
    public var byStepCount: [String: AccuracyEstimate]
    /// Each sampling round's chains.
    public var sampling: [SamplingFindings]
    /// Why DPO did not train, if it did not.
    public var dpoSkipped: String?
    /// Per student (CoT answers), how self-consistent its arithmetic lines are.
    public var consistency: [String: Consistency]
    /// The verifier's curve (empty without DPO).
    public var verifier: [VerifierPoint]
    /// The DPO reward of right and of wrong verifier chains: a gap near 0 means the reward ranks nothing.
    public var meanRewardRight: Double?
    /// See ``meanRewardRight``.
    public var meanRewardWrong: Double?

    enum CodingKeys: String, CodingKey {
        case runID = "run_id", seed, students, byStepCount = "by_step_count", sampling, dpoSkipped = "dpo_skipped"
        case consistency, verifier, meanRewardRight = "mean_reward_right", meanRewardWrong = "mean_reward_wrong"
    }
}

/// One sampling round's chains, judged.
public struct SamplingFindings: Codable, Sendable, Equatable {
    /// 1: the SFT student's chains; 2: the first DPO student's (iterative DPO).
    public var round: Int
    /// Questions sampled and chains per question.
    public var questions: Int
    /// Chains in all.
    public var chains: Int
    /// Share of chains judged correct.
    public var sampledAccuracy: Double
    /// Share of correct chains whose intermediate values match the scene (the rest are lucky guesses).
    public var correctWithRightSteps: Double
    /// Pairs built (after the window, the limit and the chosen-chain check).
    public var pairs: Int
    /// Questions whose sampled accuracy fell in the window.
    public var keptQuestions: Int

    enum CodingKeys: String, CodingKey {
        case round, questions, chains, sampledAccuracy = "sampled_accuracy"
        case correctWithRightSteps = "correct_with_right_steps", pairs, keptQuestions = "kept_questions"
    }
}

/// How often a student's written arithmetic is right about itself ("7 - 3 = 4." lines whose result follows from
/// their operands), over its CoT answers.
public struct Consistency: Codable, Sendable, Equatable {
    /// Arithmetic lines written.
    public var lines: Int
    /// Lines whose result is wrong for their own operands.
    public var wrong: Int
    /// Answers whose every intermediate value matches the scene.
    public var rightSteps: Int
    /// CoT answers checked.
    public var answers: Int

    /// 1 − wrong / lines (1 when no line was written).
    public var share: Double { lines == 0 ? 1 : 1 - Double(wrong) / Double(lines) }

    enum CodingKeys: String, CodingKey {
        case lines, wrong, rightSteps = "right_steps", answers
    }
}
