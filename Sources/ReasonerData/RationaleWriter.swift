/// Turns a solution into short rationale sentences, in one of a few wordings per sentence.
///
/// Designed after calibration.md: start from the caption the student reads well, then look-ups that copy from it,
/// then one short line per arithmetic step. Every number a step uses appears earlier in the text, so the student
/// copies rather than recalls.
enum RationaleWriter {
    /// Sentences for a solution on a scene's caption; with `rng` nil, always the first wording.
    static func sentences(caption: String, solution: Solution, rng: inout SeededGenerator?) -> [String] {
        var out = [caption]
        for reading in solution.readings { out.append(sentence(reading, rng: &rng)) }
        for (i, step) in solution.steps.enumerated() { out.append(sentence(step, later: i > 0, rng: &rng)) }
        return out
    }

    /// The rationale body (no answer line).
    static func rationale(caption: String, solution: Solution, rng: inout SeededGenerator?) -> String {
        sentences(caption: caption, solution: solution, rng: &rng).joined(separator: " ")
    }

    private static func choose(_ options: [String], _ rng: inout SeededGenerator?) -> String {
        guard var generator = rng else { return options[0] }
        let choice = generator.pick(options)
        rng = generator
        return choice
    }

    private static func capitalised(_ text: String) -> String {
        text.prefix(1).uppercased() + text.dropFirst()
    }

    /// "The red bar is 7." and its variants.
    static func sentence(_ reading: Reading, rng: inout SeededGenerator?) -> String {
        let (s, v) = (reading.subject, reading.value)
        return choose(["The \(s) is \(v).", "The \(s) reads \(v).", "\(capitalised(s)): \(v)."], &rng)
    }

    /// One step as a sentence.
    static func sentence(_ step: Step, later: Bool, rng: inout SeededGenerator?) -> String {
        switch step {
        case .arithmetic(let lhs, let op, let rhs, let result):
            let line = "\(lhs) \(op.rawValue) \(rhs) = \(result)."
            return later ? choose([line, "Then " + line, "So " + line], &rng) : line
        case .extreme(let kind, let values, let result):
            let list = values.map(String.init).joined(separator: ", ")
            let word = kind == .max ? "largest" : "smallest"
            return choose(["\(kind.rawValue)(\(list)) = \(result).", "The \(word) of \(list) is \(result)."], &rng)
        case .count(let subject, let members, let result):
            let list = members.isEmpty ? "none" : members.joined(separator: ", ")
            return choose(["\(capitalised(subject)): \(list), so \(result).",
                           "\(capitalised(subject)) are \(list): \(result)."], &rng)
        case .select(let subject, let value, _):
            return choose(["The \(subject) is \(value).", "So the \(subject) is \(value)."], &rng)
        }
    }
}
