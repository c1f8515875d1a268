/// Whether a student is asked to reason first or to answer at once.
public enum PromptMode: String, Codable, Sendable, CaseIterable {
    /// Chain of thought: a rationale, then `### Answer: X`.
    case cot
    /// A short answer only.
    case direct
}

/// The paper's student prompts and targets.
public enum StudentPrompt {
    /// CoT suffix for short answers.
    public static let cotShort = "Generate a reason first and then output a short answer."
    /// CoT suffix for multiple choice.
    public static let cotLetter = "Generate a reason first and then output a letter answer."
    /// Direct suffix.
    public static let direct = "Answer the question with a short answer."
    /// The marker that opens the final answer of a chain.
    public static let answerMarker = "### Answer:"

    /// The question as the student sees it: the question, the options if any, then the mode's suffix. No image
    /// token: the row writer adds `<image>\n` where the format wants it.
    public static func text(question: String, choices: [String]?, mode: PromptMode) -> String {
        var lines = [question]
        if let choices, !choices.isEmpty { lines.append(AnswerFormat.optionLines(choices)) }
        switch mode {
        case .cot: lines.append(choices == nil ? cotShort : cotLetter)
        case .direct: lines.append(direct)
        }
        return lines.joined(separator: "\n")
    }

    /// The prompt for a suite item.
    public static func text(for item: SuiteItem, mode: PromptMode) -> String {
        text(question: item.question, choices: item.choices, mode: mode)
    }

    /// A chain-of-thought target: the rationale, a blank line, then `### Answer: X`.
    public static func cotTarget(rationale: String, answer: String) -> String {
        "\(rationale)\n\n\(answerMarker) \(answer)"
    }
}
