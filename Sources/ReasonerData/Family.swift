/// A benchmark family of the synthetic suite; each is a small analogue of a benchmark of the paper.
public enum Family: String, Codable, Sendable, CaseIterable {
    /// Bar charts: read, compare, subtract, add, arg-max, count above (ChartQA).
    case chart
    /// Coloured shapes: count by colour or shape, "how many more" (A-OKVQA / CLEVR).
    case counting
    /// Four-option questions over coloured shapes, answered like `B. 4` (AI2D / A-OKVQA multiple choice).
    case choice
    /// Words with numbers drawn in a pixel font: read, look up, then compute (TextVQA / DocVQA).
    case reading
    /// Coloured number tiles: small arithmetic over the numbers read (MathVista).
    case math
}

/// How an answer is scored.
public enum AnswerType: String, Codable, Sendable, CaseIterable {
    /// A number: relaxed accuracy (within 5% relative error), with commas, units, `%` and `.0` normalised.
    case number
    /// A word or short phrase: normalised exact match.
    case word
    /// One of lettered options: the letter, or the option's text.
    case multipleChoice = "multiple_choice"
    /// Free text scored by ANLS with threshold 0.5 (DocVQA, InfoVQA); correct when the score is at least 0.5.
    case anls
    /// Free text scored by VQA accuracy min(1, matches/3) against several annotator answers; correct at >= 0.5.
    case vqa
}

/// The split an item belongs to. Splits never share a scene.
public enum Split: String, Codable, Sendable, CaseIterable {
    /// Training data (also the split of format-set items).
    case train
    /// Held out for choosing checkpoints and settings.
    case validation
    /// Held out for the final numbers.
    case test
}

/// How hard a family's scenes and questions are.
public enum Difficulty: String, Codable, Sendable, CaseIterable {
    /// Fewer objects, smaller numbers, more one-step questions.
    case easy
    /// The default, sized after calibration.md (3–5 bars of 1–9, at most 6 shapes of 16 px).
    case medium
    /// More objects and larger numbers; almost every question needs several steps.
    case hard

    /// The share of questions that need only one look-up.
    var oneStepShare: Double {
        switch self {
        case .easy: return 0.35
        case .medium: return 0.2
        case .hard: return 0.05
        }
    }
}
