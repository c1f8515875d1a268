import Imaging

/// A tiny document: lines of a word and a number ("CAT 7") in a pixel font, one character per patch, to read and
/// then use.
public struct TextScene: Codable, Sendable, Equatable {
    /// One line.
    public struct Entry: Codable, Sendable, Equatable {
        /// The label, a three-letter lower-case word, unique within the scene.
        public var word: String
        /// The number written after it.
        public var value: Int
    }

    /// The lines, top to bottom.
    public var entries: [Entry]
    /// The left margin of every line, in patches (0...2, so the longest line, "cat 20", still fits).
    public var indent: Int

    /// "Text: cat 4, dog 9, sun 2."
    public var caption: String {
        "Text: " + entries.map { "\($0.word) \($0.value)" }.joined(separator: ", ") + "."
    }

    /// Labels: short, distinct, drawable, and neither colours nor number words.
    static let vocabulary = ["cat", "dog", "sun", "box", "hat", "pen", "cup", "map",
                             "key", "bus", "egg", "fox", "jar", "owl", "pig", "bag"]

    /// A random document.
    static func random(_ rng: inout SeededGenerator, difficulty: Difficulty) -> TextScene {
        let count: Int, range: ClosedRange<Int>
        switch difficulty {
        case .easy: count = 2; range = 1...9
        case .medium: count = 3; range = 1...20
        case .hard: count = 3; range = 10...99
        }
        let words = rng.sample(vocabulary, count: count)
        return TextScene(entries: words.map { Entry(word: $0, value: rng.int(in: range)) },
                         indent: rng.int(in: 0...2))
    }

    func value(_ word: String) -> Int { entries.first { $0.word == word }?.value ?? 0 }

    /// A question about this document.
    func randomQuery(_ rng: inout SeededGenerator, difficulty: Difficulty) -> Query {
        if rng.chance(difficulty.oneStepShare) {
            return Query(kind: .valueOf, words: [rng.pick(entries).word])
        }
        let values = entries.map(\.value)
        var kinds: [QueryKind] = [.sumOf]
        if Set(values).count > 1 { kinds += [.differenceOf, .largestMinus, .largestMinus] }
        if values.filter({ $0 == values.max()! }).count == 1 { kinds.append(.largestWord) }
        switch rng.pick(kinds) {
        case .sumOf:
            return Query(kind: .sumOf, words: rng.sample(entries, count: 2).map(\.word))
        case .differenceOf:
            var pair = rng.sample(entries, count: 2)
            while pair[0].value == pair[1].value { pair = rng.sample(entries, count: 2) }
            return Query(kind: .differenceOf, words: pair.sorted { $0.value > $1.value }.map(\.word))
        case .largestMinus:
            // A word whose number is below the largest, so the difference is positive.
            let top = values.max()!
            return Query(kind: .largestMinus, words: [rng.pick(entries.filter { $0.value < top }).word])
        default:
            return Query(kind: .largestWord)
        }
    }

    /// The question text.
    func question(_ query: Query) -> String {
        let w = query.words ?? []
        switch query.kind {
        case .valueOf: return "What number is written after \(w[0])?"
        case .sumOf: return "What is the sum of the numbers after \(w[0]) and \(w[1])?"
        case .differenceOf: return "How much larger is the number after \(w[0]) than the number after \(w[1])?"
        case .largestMinus: return "What is the largest number minus the number after \(w[0])?"
        default: return "Which word has the largest number?"
        }
    }

    /// The worked solution.
    func solve(_ query: Query) -> Solution {
        let w = query.words ?? []
        let reads = w.map { Reading(subject: "number after \($0)", key: $0, value: String(value($0))) }
        switch query.kind {
        case .valueOf:
            return Solution(readings: reads, steps: [])
        case .sumOf, .differenceOf:
            let (a, b) = (value(w[0]), value(w[1]))
            let op: Operation = query.kind == .sumOf ? .plus : .minus
            return Solution(readings: reads, steps: [.arithmetic(lhs: a, op: op, rhs: b, result: op.apply(a, b))])
        case .largestMinus:
            let values = entries.map(\.value)
            let (top, v) = (values.max() ?? 0, value(w[0]))
            return Solution(readings: reads, steps: [.extreme(kind: .max, values: values, result: top),
                                                     .arithmetic(lhs: top, op: .minus, rhs: v, result: top - v)])
        default:
            let values = entries.map(\.value)
            let top = values.max() ?? 0
            let winner = entries.first { $0.value == top }?.word ?? ""
            return Solution(readings: [], steps: [
                .extreme(kind: .max, values: values, result: top),
                .select(subject: "word with the largest number", value: winner, options: entries.map(\.word)),
            ])
        }
    }

    /// Draws each line in black, one character per patch, lines on every other patch row (rows 1, 3, 5; with two
    /// lines rows 2 and 5).
    func render(size: Int) -> RGBImage {
        var canvas = Canvas(size: size)
        let rows = entries.count == 2 ? [2, 5] : [1, 3, 5]
        for (entry, row) in zip(entries, rows) {
            canvas.drawText("\(entry.word) \(entry.value)", column: indent, row: row, colour: Ink.text)
        }
        return canvas.image
    }

    /// The document as a careless reader might see it: one number off by one or two.
    func misread(_ rng: inout SeededGenerator) -> TextScene {
        var copy = self
        let i = rng.below(entries.count)
        copy.entries[i].value = max(0, entries[i].value + rng.pick([-2, -1, 1, 2]))
        return copy
    }
}
