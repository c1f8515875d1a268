/// How an offline teacher's rationale went wrong.
public enum TeacherError: String, Codable, Sendable {
    /// It misread the image (a value off by one or two, an object taken for another) and reasoned from that.
    case wrongReading = "wrong_reading"
    /// It read right but one step's result is wrong.
    case wrongStep = "wrong_step"
}

/// One rationale of the offline teacher.
public struct TeacherRationale: Codable, Sendable, Equatable {
    /// The item it answers.
    public var itemId: String
    /// The full response: rationale, blank line, `### Answer: X`.
    public var text: String
    /// The answer it gives (in the item's answer format).
    public var answer: String
    /// The error it made on purpose, nil when the rationale is right.
    public var error: TeacherError?
    /// The solution it followed (its intermediates are what it claims).
    public var solution: Solution

    private enum CodingKeys: String, CodingKey {
        case itemId = "item_id", text, answer, error, solution
    }
}

/// A teacher that needs no server: it writes each rationale from the item's scene, in the rationales' one wording, and errs at a
/// set rate so the distiller's filter has something to remove.
///
/// Deterministic: the rationale of an item depends only on the seed, the error rate and the item.
public struct OfflineTeacher: Sendable {
    /// The seed of wording and errors.
    public var seed: UInt64
    /// The chance that a rationale is wrong (its final answer differs from the annotation).
    public var errorRate: Double

    /// A teacher.
    public init(seed: UInt64 = 0, errorRate: Double = 0.1) {
        self.seed = seed
        self.errorRate = errorRate
    }

    /// The rationale for an item.
    public func rationale(for item: SuiteItem) -> TeacherRationale {
        var rng = SeededGenerator(seed: seed, stream: "teacher/\(item.id)")
        var caption = item.scene.caption
        var solution = item.solution
        var error: TeacherError?
        if rng.chance(errorRate) {
            (caption, solution, error) = mistake(item, rng: &rng)
        }
        let answer = Self.answer(for: solution.final, item: item, wrong: error != nil)
        var wording: SeededGenerator? = rng
        let body = RationaleWriter.rationale(caption: caption, solution: solution, rng: &wording)
        return TeacherRationale(itemId: item.id, text: StudentPrompt.cotTarget(rationale: body, answer: answer),
                                answer: answer, error: error, solution: solution)
    }

    /// The correct rationale in the plainest wording (for drills and tests).
    public static func reference(for item: SuiteItem) -> String {
        var none: SeededGenerator?
        let body = RationaleWriter.rationale(caption: item.scene.caption, solution: item.solution, rng: &none)
        return StudentPrompt.cotTarget(rationale: body, answer: item.answer)
    }

    /// A wrong chain whose final answer differs from the item's: a misreading when one changes the answer, else a
    /// wrong last step.
    private func mistake(_ item: SuiteItem, rng: inout SeededGenerator) -> (String, Solution, TeacherError) {
        if rng.chance(0.5) || item.solution.steps.isEmpty {
            for _ in 0..<12 {
                let seen = item.scene.misread(&rng)
                let solution = seen.solve(item.query)
                if Self.clearlyDiffers(solution.final, item.solution.final) {
                    return (seen.caption, solution, .wrongReading)
                }
            }
        }
        var solution = item.solution
        if let last = solution.steps.popLast() {
            solution = Solution(readings: solution.readings, steps: solution.steps + [Self.perturb(last, &rng)])
            return (item.scene.caption, solution, .wrongStep)
        }
        // A pure look-up that no whole-scene misreading changed: misread the looked-up value itself.
        var readings = solution.readings
        if let last = readings.popLast() {
            readings.append(Reading(subject: last.subject, key: last.key, value: String(Self.off(Int(last.value) ?? 0, &rng))))
        }
        return (item.scene.caption, Solution(readings: readings, steps: []), .wrongReading)
    }

    /// The step with a wrong result.
    private static func perturb(_ step: Step, _ rng: inout SeededGenerator) -> Step {
        func off(_ value: Int) -> Int { Self.off(value, &rng) }
        switch step {
        case .arithmetic(let lhs, let op, let rhs, let result):
            return .arithmetic(lhs: lhs, op: op, rhs: rhs, result: off(result))
        case .extreme(let kind, let values, let result):
            let others = values.filter { $0 != result }
            return .extreme(kind: kind, values: values, result: others.isEmpty ? off(result) : rng.pick(others))
        case .count(let subject, let members, let result):
            return .count(subject: subject, members: members, result: off(result))
        case .select(let subject, let value, let options):
            let others = options.filter { $0 != value }
            return .select(subject: subject, value: others.isEmpty ? value + "s" : rng.pick(others), options: options)
        }
    }

    /// A wrong value near `value`: off by one or two plus a tenth, so relaxed accuracy (5%) still calls it wrong;
    /// never negative.
    static func off(_ value: Int, _ rng: inout SeededGenerator) -> Int {
        let magnitude = rng.int(in: 1...2) + abs(value) / 10
        let down = value - magnitude
        return rng.chance(0.5) && down >= 0 ? down : value + magnitude
    }

    /// Whether a wrong final value would be judged wrong (numbers more than 5% apart, other text different).
    static func clearlyDiffers(_ final: String, _ right: String) -> Bool {
        guard let a = Int(final), let b = Int(right) else { return final != right }
        return Double(abs(a - b)) > 0.05 * Double(abs(b))
    }

    /// The answer text for a final value; a wrong multiple-choice value that is no option maps to the nearest other
    /// option, so the answer stays wrong.
    private static func answer(for final: String, item: SuiteItem, wrong: Bool) -> String {
        guard let choices = item.choices else { return final }
        if let formatted = AnswerFormat.answer(final: final, choices: choices),
           !wrong || formatted != item.answer {
            return formatted
        }
        let right = choices.firstIndex { AnswerFormat.answer(final: $0, choices: choices) == item.answer } ?? 0
        let target = Int(final) ?? 0
        let others = choices.indices.filter { $0 != right }
        let nearest = others.min { abs((Int(choices[$0]) ?? 0) - target) < abs((Int(choices[$1]) ?? 0) - target) }
        return AnswerFormat.choice(index: nearest ?? others[0], choices: choices)
    }
}
