import Imaging

/// A bar chart: bars of distinct colours, left to right, each with an integer height.
public struct ChartScene: Codable, Sendable, Equatable {
    /// One bar.
    public struct Bar: Codable, Sendable, Equatable {
        /// The bar's colour, unique within the chart.
        public var colour: Colour
        /// The bar's height in units, one patch (8 design pixels) each.
        public var value: Int
    }

    /// The bars, left to right.
    public var bars: [Bar]

    /// The scene described as the student should learn to see it: "Bars: red 7, blue 3, green 5."
    public var caption: String {
        "Bars: " + bars.map { "\($0.colour.rawValue) \($0.value)" }.joined(separator: ", ") + "."
    }

    /// Design pixels per unit of height: one patch, so a height is a count of whole patches.
    static let unit = Canvas.cell

    /// The tallest bar: the whole picture's height at medium and hard.
    static func maxValue(_ difficulty: Difficulty) -> Int { difficulty == .easy ? 6 : 8 }

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
        var kinds: [QueryKind] = [.barSum, .countAbove, .barSumMinus, .barSumMinus]
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
        case .barSumMinus:
            // The subtracted bar is the shortest of the three, so the result is never negative.
            let three = rng.sample(bars, count: 3)
            let shortest = three.indices.min { (three[$0].value, $0) < (three[$1].value, $1) }!
            let added = three.indices.filter { $0 != shortest }.map { three[$0].colour }
            return Query(kind: .barSumMinus, colours: added + [three[shortest].colour])
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
        case .barSumMinus: return "What is the \(c[0]) bar plus the \(c[1]) bar minus the \(c[2]) bar?"
        case .countAbove: return "How many bars are higher than \(query.threshold ?? 0)?"
        default: return "What is the difference between the tallest and the shortest bar?"
        }
    }

    /// The worked solution.
    func solve(_ query: Query) -> Solution {
        let c = query.colours ?? []
        let reads = c.map { Reading(subject: "\($0.rawValue) bar", key: $0.rawValue, value: String(value($0))) }
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
        case .barSumMinus:
            let (a, b, d) = (value(c[0]), value(c[1]), value(c[2]))
            return Solution(readings: reads, steps: [.arithmetic(lhs: a, op: .plus, rhs: b, result: a + b),
                                                     .arithmetic(lhs: a + b, op: .minus, rhs: d, result: a + b - d)])
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

    /// The grid column of bar `index` of `count`: bars spread evenly over the eight columns, one column wide.
    static func column(_ index: Int, of count: Int) -> Int {
        let spacing = 8.0 / Double(count)
        return Int(Double(index) * spacing + (spacing - 1) / 2)
    }

    /// Draws the chart: each bar one patch column wide, rising from the bottom edge by one patch per unit, so
    /// every patch holds one bar's colour or nothing and a height is a count of patches.
    func render(size: Int) -> RGBImage {
        var canvas = Canvas(size: size)
        for (i, bar) in bars.enumerated() {
            let x0 = Double(Self.column(i, of: bars.count)) * Canvas.cell
            canvas.fillRect(x0: x0, y0: 64 - Self.unit * Double(bar.value), x1: x0 + Canvas.cell, y1: 64,
                            colour: bar.colour.rgb)
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
