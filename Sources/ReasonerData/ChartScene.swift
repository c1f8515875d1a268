import Imaging

/// A bar chart: bars of distinct colours, left to right, each with an integer height.
public struct ChartScene: Codable, Sendable, Equatable {
    /// One bar.
    public struct Bar: Codable, Sendable, Equatable {
        /// The bar's colour, unique within the chart.
        public var colour: Colour
        /// The bar's height in units (6 design pixels each).
        public var value: Int
    }

    /// The bars, left to right.
    public var bars: [Bar]

    /// The scene described as the student should learn to see it: "Bars: red 7, blue 3, green 5."
    public var caption: String {
        "Bars: " + bars.map { "\($0.colour.rawValue) \($0.value)" }.joined(separator: ", ") + "."
    }

    static let unit = 6.0
    static let baseline = 62.0

    static func maxValue(_ difficulty: Difficulty) -> Int { difficulty == .easy ? 6 : 9 }

    /// A random chart.
    static func random(_ rng: inout SeededGenerator, difficulty: Difficulty) -> ChartScene {
        let count: Int
        switch difficulty {
        case .easy: count = 3
        case .medium: count = rng.int(in: 3...5)
        case .hard: count = rng.int(in: 4...6)
        }
        let colours = rng.sample(Colour.allCases, count: count)
        let top = maxValue(difficulty)
        return ChartScene(bars: colours.map { Bar(colour: $0, value: rng.int(in: 1...top)) })
    }

    private func value(_ colour: Colour) -> Int {
        bars.first { $0.colour == colour }?.value ?? 0
    }

    /// A question this chart can answer.
    func randomQuery(_ rng: inout SeededGenerator, difficulty: Difficulty) -> Query {
        if rng.chance(difficulty.oneStepShare) {
            return Query(kind: .barValue, colours: [rng.pick(bars).colour])
        }
        var kinds: [QueryKind] = [.barSum, .countAbove]
        let values = bars.map(\.value)
        if Set(values).count > 1 { kinds += [.barDifference, .barRange] }
        if values.filter({ $0 == values.max()! }).count == 1 { kinds.append(.tallestBar) }
        switch rng.pick(kinds) {
        case .barDifference:
            var pair = rng.sample(bars, count: 2)
            while pair[0].value == pair[1].value { pair = rng.sample(bars, count: 2) }
            let sorted = pair.sorted { $0.value > $1.value }
            return Query(kind: .barDifference, colours: sorted.map(\.colour))
        case .barSum:
            return Query(kind: .barSum, colours: rng.sample(bars, count: 2).map(\.colour))
        case .countAbove:
            return Query(kind: .countAbove, threshold: rng.int(in: 1...(ChartScene.maxValue(difficulty) - 1)))
        case let kind:
            return Query(kind: kind)
        }
    }

    /// The question text.
    func question(_ query: Query) -> String {
        let c = query.colours?.map(\.rawValue) ?? []
        switch query.kind {
        case .barValue: return "What is the value of the \(c[0]) bar?"
        case .barDifference: return "How much higher is the \(c[0]) bar than the \(c[1]) bar?"
        case .barSum: return "What is the sum of the \(c[0]) bar and the \(c[1]) bar?"
        case .tallestBar: return "Which colour is the tallest bar?"
        case .countAbove: return "How many bars are higher than \(query.threshold ?? 0)?"
        default: return "What is the difference between the tallest and the shortest bar?"
        }
    }

    /// The worked solution.
    func solve(_ query: Query) -> Solution {
        let c = query.colours ?? []
        let reads = c.map { Reading(subject: "\($0.rawValue) bar", value: String(value($0))) }
        let values = bars.map(\.value)
        switch query.kind {
        case .barValue:
            return Solution(readings: reads, steps: [])
        case .barDifference:
            let (a, b) = (value(c[0]), value(c[1]))
            return Solution(readings: reads, steps: [.arithmetic(lhs: a, op: .minus, rhs: b, result: a - b)])
        case .barSum:
            let (a, b) = (value(c[0]), value(c[1]))
            return Solution(readings: reads, steps: [.arithmetic(lhs: a, op: .plus, rhs: b, result: a + b)])
        case .tallestBar:
            let top = values.max()!
            let winner = bars.first { $0.value == top }!.colour.rawValue
            return Solution(readings: [], steps: [
                .extreme(kind: .max, values: values, result: top),
                .select(subject: "tallest bar", value: winner, options: bars.map(\.colour.rawValue)),
            ])
        case .countAbove:
            let t = query.threshold ?? 0
            let above = bars.filter { $0.value > t }
            return Solution(readings: [], steps: [
                .count(subject: "bars above \(t)", members: above.map { "\($0.colour.rawValue) \($0.value)" },
                       result: above.count),
            ])
        default:
            return .range(of: values)
        }
    }

    /// Draws the chart: a grey baseline, bars rising from it at 6 design pixels per unit.
    func render(size: Int) -> RGBImage {
        var canvas = Canvas(size: size)
        canvas.fillRect(x0: 0, y0: ChartScene.baseline, x1: 64, y1: 64, colour: Ink.axis)
        let slot = 64.0 / Double(bars.count)
        for (i, bar) in bars.enumerated() {
            let x0 = slot * Double(i) + slot * 0.2, x1 = slot * Double(i + 1) - slot * 0.2
            let top = ChartScene.baseline - ChartScene.unit * Double(bar.value)
            canvas.fillRect(x0: x0, y0: top, x1: x1, y1: ChartScene.baseline, colour: bar.colour.rgb)
        }
        return canvas.image
    }

    /// The chart as a careless reader might see it: one bar off by one or two.
    func misread(_ rng: inout SeededGenerator) -> ChartScene {
        var copy = self
        let i = rng.below(bars.count)
        let shift = rng.pick([-2, -1, 1, 2])
        copy.bars[i].value = max(0, bars[i].value + shift)
        return copy
    }
}
