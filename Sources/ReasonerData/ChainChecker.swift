import Foundation

/// How well a chain's reasoning matches an item's solution, beyond its final answer.
public struct ChainCheck: Sendable, Equatable {
    /// Whether the chain's scene listing ("Bars: red 7, ...") matches the scene; nil when the chain has none.
    public var captionRight: Bool?
    /// Expected intermediate values (readings and step results).
    public var expected: Int
    /// How many of them appear after the listing, in order.
    public var found: Int
    /// Computation lines in the chain: `a op b = c`, `max(...) = c` / `min(...) = c`, and counts ("..., so 2").
    public var computedLines: Int
    /// Computation lines whose result is wrong.
    public var computedWrong: Int

    /// The listing right (or absent), every intermediate value present in order, every computation right: the
    /// chain earned its answer.
    public var intermediatesRight: Bool { captionRight != false && found == expected && computedWrong == 0 }
}

/// Checks a sampled chain against the scene, so a "chosen" chain that guessed its answer can be dropped
/// (calibration.md: only 8% of chosen chains had a right rationale).
public enum ChainChecker {
    /// Checks the rationale part (before the last answer marker) of a chain against a scene and its solution.
    public static func check(_ chain: String, scene: Scene, solution: Solution) -> ChainCheck {
        var body = rationale(chain)
        let caption = scene.caption
        var captionRight: Bool?
        let prefix = String(caption.prefix { $0 != ":" }) + ":"
        if let start = body.range(of: prefix) {
            let rest = body[start.lowerBound...]
            let end = rest.firstIndex(of: ".") ?? rest.endIndex
            captionRight = tokenise(String(rest[..<end])) == tokenise(caption)
            body = String(rest[end...])
        }
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
        while i < tokens.count {
            if i + 4 < tokens.count, let a = Int(tokens[i]), let op = Operation(rawValue: tokens[i + 1]),
               let b = Int(tokens[i + 2]), tokens[i + 3] == "=", let c = Int(tokens[i + 4]) {
                lines += 1
                if op.apply(a, b) != c { wrong += 1 }
                i += 5
            } else if ["largest", "smallest"].contains(tokens[i]), i + 1 < tokens.count, tokens[i + 1] == "of" {
                // "The largest of 7, 3, 5 is 7."
                var j = i + 2
                var values: [Int] = []
                while j < tokens.count, let v = Int(tokens[j]) { values.append(v); j += 1 }
                if !values.isEmpty, j + 1 < tokens.count, tokens[j] == "is", let c = Int(tokens[j + 1]) {
                    lines += 1
                    if c != (tokens[i] == "largest" ? values.max() : values.min()) { wrong += 1 }
                    i = j + 2
                } else {
                    i += 1
                }
            } else if let kind = Extreme(rawValue: tokens[i]) {
                var j = i + 1
                var values: [Int] = []
                while j < tokens.count, let v = Int(tokens[j]) { values.append(v); j += 1 }
                if !values.isEmpty, j + 1 < tokens.count, tokens[j] == "=", let c = Int(tokens[j + 1]) {
                    lines += 1
                    if c != (kind == .max ? values.max() : values.min()) { wrong += 1 }
                    i = j + 2
                } else {
                    i += 1
                }
            } else {
                i += 1
            }
        }
        for sentence in body.components(separatedBy: ". ") {
            guard let (members, total) = countSentence(sentence) else { continue }
            lines += 1
            if members != total { wrong += 1 }
        }
        return ChainCheck(captionRight: captionRight, expected: expected.count, found: found, computedLines: lines,
                          computedWrong: wrong)
    }

    /// A counting sentence's listed members and stated total: "Red shapes: circle, square, so 2." or
    /// "Red shapes are circle, square: 2."; nil for other sentences.
    static func countSentence(_ sentence: String) -> (Int, Int)? {
        let text = sentence.trimmingCharacters(in: .whitespacesAndNewlines.union(CharacterSet(charactersIn: ".")))
        let list: Substring, total: Substring
        if let so = text.range(of: ", so ", options: .backwards), let colon = text.range(of: ": "),
           colon.upperBound <= so.lowerBound {
            list = text[colon.upperBound..<so.lowerBound]
            total = text[so.upperBound...]
        } else if let are = text.range(of: " are "), let colon = text.range(of: ": ", options: .backwards),
                  are.upperBound <= colon.lowerBound {
            list = text[are.upperBound..<colon.lowerBound]
            total = text[colon.upperBound...]
        } else {
            return nil
        }
        guard let stated = Int(total) else { return nil }
        let members = list == "none" ? 0 : list.components(separatedBy: ", ").count
        return (members, stated)
    }

    /// Checks a chain for a suite item.
    public static func check(_ chain: String, item: SuiteItem) -> ChainCheck {
        check(chain, scene: item.scene, solution: item.solution)
    }

    /// The text before the last `### Answer:`, or all of it.
    static func rationale(_ chain: String) -> String {
        guard let range = chain.range(of: StudentPrompt.answerMarker, options: .backwards) else { return chain }
        return String(chain[..<range.lowerBound])
    }

    /// Words, numbers (with a sign after `=` or an operator) and the symbols + - * = as tokens, lower-cased.
    static func tokenise(_ text: String) -> [String] {
        var tokens: [String] = []
        var current = ""
        for c in text.lowercased() {
            if c.isLetter || c.isNumber {
                current.append(c)
            } else if c == "-", current.isEmpty, tokens.last.map({ ["=", "+", "-", "*"].contains($0) }) ?? true {
                current = "-"  // a sign: "5 - 6 = -1"
            } else {
                if current == "-" { tokens.append(current); current = "" }
                if !current.isEmpty { tokens.append(current); current = "" }
                if c == "+" || c == "-" || c == "*" || c == "=" { tokens.append(String(c)) }
            }
        }
        if !current.isEmpty { tokens.append(current) }
        return tokens
    }
}
