import Foundation

/// A teacher prompt in the paper's style: a system prompt, an instruction per family, and the output format.
public struct TeacherPrompt: Codable, Sendable, Equatable {
    /// The system message.
    public var system: String
    /// The instruction; `{question}` is replaced by the question (with options for multiple choice).
    public var instruction: String
    /// The required output format.
    public var outputFormat: String

    private enum CodingKeys: String, CodingKey {
        case system, instruction, outputFormat = "output_format"
    }

    /// The user message for a question.
    public func userMessage(question: String) -> String {
        instruction.replacingOccurrences(of: "{question}", with: question) + "\n" + outputFormat
    }

    /// The paper's system prompt (gpt-4o distillation).
    public static let systemPrompt = "When provided with an image and a question, generate a rationale first and "
        + "then derive an answer. Your rationale should include detailed visual elements in order to derive the answer."

    private static let format = "# Output Format #\n<rationale>\n### Answer: <your answer>"

    /// The prompt for a family, kept as data so a real teacher (an OpenAI-compatible server) gets the same words.
    public static func forFamily(_ family: Family) -> TeacherPrompt {
        let numeric = "Answer the question with following instruction: 1. Generate a rationale first and then derive "
            + "an answer. 2. Don't include any unit, i.e. 56 instead of 56 meters 3. Don't include '%' sign, i.e. 56 "
            + "instead of 56%"
        let instruction: String
        switch family {
        case .chart:
            instruction = numeric + " 4. Start by listing every bar with its colour and value. Question: {question}"
        case .counting:
            instruction = numeric + " 4. Start by listing every shape with its colour, in reading order. "
                + "Question: {question}"
        case .choice:
            instruction = "Answer the question with following instruction: 1. Generate a rationale first and then "
                + "derive an answer. 2. For your final answer, provide a letter choice with its option, i.e. B. 4. "
                + "3. Start by listing every shape with its colour, in reading order. Question: {question}"
        case .reading:
            instruction = numeric + " 4. Start by transcribing every line of text. 5. Answer words in lower case. "
                + "Question: {question}"
        case .math:
            instruction = numeric + " 4. Start by listing every tile with its colour and number, then show each "
                + "arithmetic step. Question: {question}"
        }
        return TeacherPrompt(system: systemPrompt, instruction: instruction, outputFormat: format)
    }

    /// Every family's prompt, for writing beside a suite.
    public static var all: [String: TeacherPrompt] {
        Dictionary(uniqueKeysWithValues: Family.allCases.map { ($0.rawValue, forFamily($0)) })
    }
}
