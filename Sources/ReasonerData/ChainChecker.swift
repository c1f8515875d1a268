import Foundation

/// How well a chain's reasoning matches an item's solution, beyond its final answer.
public struct ChainCheck: Sendable, Equatable {
    /// Expected intermediate values (readings and step results).
    public var expected: Int
    /// How many of them appear in the chain, in order.
    public var found: Int
    /// Arithmetic lines `a op b = c` in the chain.
    public var arithmeticLines: Int
    /// Arithmetic lines whose result is wrong.
    public var arithmeticWrong: Int

    /// Every intermediate value present in order and every arithmetic line right: the chain earned its answer.
    public var intermediatesRight: Bool { found == expected && arithmeticWrong == 0 }
}

/// Checks a sampled chain against the scene's solution, so a "chosen" chain that guessed its answer can be dropped
/// (calibration.md: only 8% of chosen chains had a right rationale).
public enum ChainChecker {
    /// Checks the rationale part (before the last answer marker) of a chain.
    public static func check(_ chain: String, solution: Solution) -> ChainCheck {
        let body = rationale(chain)
        let tokens = tokenise(body)
        var position = 0, found = 0
        let expected = solution.intermediates.map { $0.lowercased() }
        for value in expected {
            if let index = tokens[position...].firstIndex(of: value) {
                found += 1
                position = index + 1
            }
        }
        var lines = 0, wrong = 0
        var i = 0
        while i + 4 < tokens.count {
            if let a = Int(tokens[i]), let op = Operation(rawValue: tokens[i + 1]), let b = Int(tokens[i + 2]),
               tokens[i + 3] == "=", let c = Int(tokens[i + 4]) {
                lines += 1
                if op.apply(a, b) != c { wrong += 1 }
                i += 5
            } else {
                i += 1
            }
        }
        return ChainCheck(expected: expected.count, found: found, arithmeticLines: lines, arithmeticWrong: wrong)
    }

    /// The text before the last `### Answer:`, or all of it.
    static func rationale(_ chain: String) -> String {
        guard let range = chain.range(of: StudentPrompt.answerMarker, options: .backwards) else { return chain }
        return String(chain[..<range.lowerBound])
    }

    /// Words, numbers and the symbols + - * = as tokens, lower-cased.
    static func tokenise(_ text: String) -> [String] {
        var tokens: [String] = []
        var current = ""
        for c in text.lowercased() {
            if c.isLetter || c.isNumber {
                current.append(c)
            } else {
                if !current.isEmpty { tokens.append(current); current = "" }
                if c == "+" || c == "-" || c == "*" || c == "=" { tokens.append(String(c)) }
            }
        }
        if !current.isEmpty { tokens.append(current) }
        return tokens
    }
}
