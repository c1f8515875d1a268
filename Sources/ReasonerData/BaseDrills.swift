/// A text-only exercise of one skill every rationale uses, in the exact words rationales use it
/// (`RationaleWriter`'s first wording): the base model's mix teaches these, as a pretrained LLM already has them.
public struct Drill: Codable, Sendable, Equatable {
    /// The skill.
    public var kind: DrillKind
    /// The family whose caption a look-up reads; nil for the scene-free kinds.
    public var family: Family?
    /// What the student is given.
    public var prompt: String
    /// What it must answer, whole (a probe scores exact matches).
    public var response: String

    /// The drill as a text-only LLaVA row.
    public func row(id: String) -> ConversationRow {
        ConversationRow(id: id, image: nil, prompt: prompt, response: response)
    }
}

/// The skills the base model drills in text (calibration.md: a rationale reads values off its own caption line,
/// then computes, compares or counts — a 1-M-parameter student must be taught each).
public enum DrillKind: String, Codable, Sendable, CaseIterable {
    /// Named look-up: "Bars: red 7, blue 3.\nWhat is the value of the blue bar?" → "Read blue 3." (counting
    /// scenes: "Count red shapes: red circle, red square, so 2.", which also lists and counts).
    case lookup
    /// Small-number arithmetic: "Compute 7 - 3." → "Compute 7 - 3 = 4."
    case arithmetic
    /// The largest or smallest of a list: "Which is the largest of 7, 3, 5?" → "The largest of 7, 3, 5 is 7."
    case comparison
    /// Counting a listed set: "How many are listed? circle, square" → "Count listed: circle, square, so 2."
    case counting
}

/// Draws drills. Every drill is a pure function of its random stream, so a seed gives the same drills anywhere.
public enum BaseDrills {
    /// A named look-up on `scene`'s caption: the caption, a one-step question, and the rationale's look-up sentence.
    public static func lookup(_ scene: Scene, rng: inout SeededGenerator) -> Drill {
        let (question, sentence, _) = scene.lookup(&rng)
        return Drill(kind: .lookup, family: scene.family, prompt: scene.caption + "\n" + question, response: sentence)
    }

    /// One arithmetic line with the operand ranges rationales need: sums and differences of readings up to 20,
    /// products of digits, and the second steps of the math family (a product minus a digit, a sum times a digit).
    public static func arithmetic(rng: inout SeededGenerator) -> Drill {
        let (lhs, op, rhs): (Int, Operation, Int)
        switch rng.below(6) {
        case 0, 1:
            (lhs, op, rhs) = (rng.int(in: 0...20), .plus, rng.int(in: 0...20))
        case 2, 3:
            let a = rng.int(in: 0...20), b = rng.int(in: 0...20)
            (lhs, op, rhs) = (max(a, b), .minus, min(a, b))
        case 4:
            (lhs, op, rhs) = rng.chance(0.5) ? (rng.int(in: 1...9), .times, rng.int(in: 1...9))
                                              : (rng.int(in: 2...18), .times, rng.int(in: 1...9))
        default:
            let product = rng.int(in: 1...9) * rng.int(in: 1...9)
            (lhs, op, rhs) = (product, .minus, rng.int(in: 1...min(9, product)))
        }
        let step = Step.arithmetic(lhs: lhs, op: op, rhs: rhs, result: op.apply(lhs, rhs))
        var plain: SeededGenerator?
        return Drill(kind: .arithmetic, family: nil, prompt: "Compute \(lhs) \(op.rawValue) \(rhs).",
                     response: RationaleWriter.sentence(step, later: false, rng: &plain))
    }

    /// The largest or smallest of 2–6 values (bar heights, tile digits, counts, reading numbers up to 20).
    public static func comparison(rng: inout SeededGenerator) -> Drill {
        let top = rng.chance(0.5) ? 9 : 20
        let values = (0..<rng.int(in: 2...6)).map { _ in rng.int(in: 1...top) }
        let kind: Extreme = rng.chance(0.5) ? .max : .min
        let result = kind == .max ? values.max()! : values.min()!
        let step = Step.extreme(kind: kind, values: values, result: result)
        var plain: SeededGenerator?
        let list = values.map(String.init).joined(separator: ", ")
        return Drill(kind: .comparison, family: nil,
                     prompt: "Which is the \(kind == .max ? "largest" : "smallest") of \(list)?",
                     response: RationaleWriter.sentence(step, later: false, rng: &plain))
    }

    /// Counting 0–6 listed things of the kinds rationales list (shapes, colours, words, "red 7" bar entries),
    /// answered as a rationale's count sentence ("…, so 3."; an empty list is "none").
    public static func counting(rng: inout SeededGenerator) -> Drill {
        let count = rng.int(in: 0...6)
        let members: [String] = (0..<count).map { _ in
            switch rng.below(4) {
            case 0: return rng.pick(Shape.allCases).rawValue
            case 1: return rng.pick(Colour.allCases).rawValue
            case 2: return rng.pick(TextScene.vocabulary)
            default: return "\(rng.pick(Colour.allCases).rawValue) \(rng.int(in: 1...8))"
            }
        }
        let step = Step.count(subject: "listed", members: members, result: count)
        var plain: SeededGenerator?
        let list = members.isEmpty ? "none" : members.joined(separator: ", ")
        return Drill(kind: .counting, family: nil, prompt: "How many are listed? \(list)",
                     response: RationaleWriter.sentence(step, later: false, rng: &plain))
    }

    /// A drill of `kind`; look-ups need a scene.
    public static func draw(_ kind: DrillKind, scene: Scene?, rng: inout SeededGenerator) -> Drill {
        switch kind {
        case .lookup:
            guard let scene else { preconditionFailure("a look-up drill needs a scene") }
            return lookup(scene, rng: &rng)
        case .arithmetic: return arithmetic(rng: &rng)
        case .comparison: return comparison(rng: &rng)
        case .counting: return counting(rng: &rng)
        }
    }
}
