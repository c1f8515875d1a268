/// Turns a solution into short rationale sentences, in one of a few wordings per sentence.
///
/// Designed after calibration.md: start from the caption the student reads well, then look-ups that copy from it,
/// then one short sentence per step. Every number a step uses appears earlier in the text, so
/// the student copies rather than recalls; a look-up repeats the caption's own words ("red 7"), so that copying it
/// is finding the key's earlier occurrence and writing what followed it there (the simplest attention pattern; "The
/// red bar is 7." puts "is" between key and value and stalled a tiny student's look-ups: docs/seeing.md).
enum RationaleWriter {
    /// Sentences for a solution on a scene's caption (one wording per kind of sentence; `rng` is kept for callers
    /// that once drew wordings).
    static func sentences(caption: String, solution: Solution, rng: inout SeededGenerator?) -> [String] {
        var out = [caption]
        for reading in solution.readings { out.append(sentence(reading, rng: &rng)) }
        for (i, step) in solution.steps.enumerated() { out.append(sentence(step, later: i > 0, rng: &rng)) }
        return out
    }

    /// The rationale body (no answer line): the sentences after one another, separated by spaces (a line break
    /// would make the next sentence's first word another token than the same word mid-line).
    static func rationale(caption: String, solution: Solution, rng: inout SeededGenerator?) -> String {
        sentences(caption: caption, solution: solution, rng: &rng).joined(separator: " ")
    }

    /// "Read red 7.": the caption's key and its value, in one wording (see the type's comment). The word before
    /// the key makes it the same token as in the caption (" red", with its space).
    static func sentence(_ reading: Reading, rng: inout SeededGenerator?) -> String {
        "Read \(reading.key) \(reading.value)."
    }

    /// One step as a sentence, one wording each, every number after a space as in the caption (a number at the
    /// start of a line or after "(" would be another token than the one it copies).
    static func sentence(_ step: Step, later: Bool, rng: inout SeededGenerator?) -> String {
        switch step {
        case .arithmetic(let lhs, let op, let rhs, let result):
            return (later ? "Then " : "Compute ") + "\(lhs) \(op.rawValue) \(rhs) = \(result)."
        case .extreme(let kind, let values, let result):
            let list = values.map(String.init).joined(separator: ", ")
            return "The \(kind == .max ? "largest" : "smallest") of \(list) is \(result)."
        case .count(let subject, let members, let result):
            let list = members.isEmpty ? "none" : members.joined(separator: ", ")
            return "Count \(subject): \(list), so \(result)."
        case .select(let subject, let value, _):
            return "So the \(subject) is \(value)."
        }
    }
}
