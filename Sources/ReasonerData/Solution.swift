/// One value read off the image, as a rationale states it: the caption's own words, key then value ("red 7").
public struct Reading: Codable, Sendable, Equatable {
    /// What was read, in words: "red bar", "number after dog", "blue tile".
    public var subject: String
    /// The word that names the value in the scene's caption: the colour of a bar or tile, the word of a line.
    public var key: String
    /// The value read, as text ("7", "red").
    public var value: String

    /// Creates a reading.
    public init(subject: String, key: String, value: String) {
        self.subject = subject
        self.key = key
        self.value = value
    }
}

/// An arithmetic operation of a rationale; its raw value is how rationales write it.
public enum Operation: String, Codable, Sendable {
    /// Addition, written `+`.
    case plus = "+"
    /// Subtraction, written `-`.
    case minus = "-"
    /// Multiplication, written `*` (ASCII, so any tokenizer has it).
    case times = "*"

    /// Applies the operation.
    public func apply(_ lhs: Int, _ rhs: Int) -> Int {
        switch self {
        case .plus: return lhs + rhs
        case .minus: return lhs - rhs
        case .times: return lhs * rhs
        }
    }
}

/// Which end of a list a comparison takes.
public enum Extreme: String, Codable, Sendable {
    /// The largest value.
    case max
    /// The smallest value.
    case min
}

/// One step of reasoning from the readings to the answer. Every step names its result, so a later stage can check a
/// sampled chain's intermediate values against the scene.
public enum Step: Codable, Sendable, Equatable {
    /// `lhs op rhs = result`, written "7 - 3 = 4."
    case arithmetic(lhs: Int, op: Operation, rhs: Int, result: Int)
    /// The largest or smallest of some values, written "max(7, 3, 5) = 7."
    case extreme(kind: Extreme, values: [Int], result: Int)
    /// Counting the listed members, written "Red shapes: circle, square, so 2."
    case count(subject: String, members: [String], result: Int)
    /// Choosing the option that a previous step singled out, written "The tallest bar is red."; `options` are the
    /// values that could have been chosen.
    case select(subject: String, value: String, options: [String])

    /// The step's result as answer text.
    public var result: String {
        switch self {
        case .arithmetic(_, _, _, let result), .extreme(_, _, let result), .count(_, _, let result):
            return String(result)
        case .select(_, let value, _):
            return value
        }
    }
}

/// The worked solution of an item: what is read, what is computed, and the final value.
///
/// The final value is the last step's result, or the last reading when there is no step; `answer` is that value in
/// the item's answer format (for multiple choice, `B. 4`).
public struct Solution: Codable, Sendable, Equatable {
    /// The look-ups, in the order a rationale states them.
    public var readings: [Reading]
    /// The computation, in order.
    public var steps: [Step]
    /// The final value before answer formatting ("4", "red").
    public var final: String

    /// Creates a solution whose final value is the last step's result, else the last reading's value.
    public init(readings: [Reading], steps: [Step]) {
        self.readings = readings
        self.steps = steps
        final = steps.last?.result ?? readings.last?.value ?? ""
    }

    /// Every intermediate value in order (readings, then step results), for checking a chain against the scene.
    public var intermediates: [String] {
        readings.map(\.value) + steps.map(\.result)
    }

    /// How many serial steps the question takes: each look-up and each computation (results are reported per
    /// number of steps, where writing the intermediate values should matter most).
    public var stepCount: Int { readings.count + steps.count }
}

extension Solution {
    /// Largest minus smallest: find both extremes, then subtract (charts' and tiles' "range" questions).
    static func range(of values: [Int]) -> Solution {
        let (top, bottom) = (values.max() ?? 0, values.min() ?? 0)
        return Solution(readings: [], steps: [
            .extreme(kind: .max, values: values, result: top),
            .extreme(kind: .min, values: values, result: bottom),
            .arithmetic(lhs: top, op: .minus, rhs: bottom, result: top - bottom),
        ])
    }
}
