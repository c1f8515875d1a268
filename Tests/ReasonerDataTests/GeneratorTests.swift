import Foundation
import Imaging
import Testing
@testable import ReasonerData

/// An answer computed from the scene by the plainest possible code, independent of the suite's solvers.
private func oracle(_ item: SuiteItem) -> String {
    let q = item.query
    switch item.scene {
    case .chart(let chart):
        let v = { (c: Colour) in chart.bars.first { $0.colour == c }!.value }
        let values = chart.bars.map(\.value)
        switch q.kind {
        case .barValue: return String(v(q.colours![0]))
        case .barDifference: return String(v(q.colours![0]) - v(q.colours![1]))
        case .barSum: return String(v(q.colours![0]) + v(q.colours![1]))
        case .tallestBar: return chart.bars.max { $0.value < $1.value }!.colour.rawValue
        case .countAbove: return String(values.filter { $0 > q.threshold! }.count)
        default: return String(values.max()! - values.min()!)
        }
    case .counting(let scene), .choice(let scene):
        let n = { (c: Colour) in scene.objects.filter { $0.colour == c }.count }
        let value: String
        switch q.kind {
        case .countColour: value = String(n(q.colours![0]))
        case .countShape: value = String(scene.objects.filter { $0.shape == q.shape! }.count)
        case .moreColour: value = String(n(q.colours![0]) - n(q.colours![1]))
        case .countEither: value = String(n(q.colours![0]) + n(q.colours![1]))
        default: value = Colour.allCases.max { n($0) < n($1) }!.rawValue
        }
        guard let choices = item.choices else { return value }
        let index = choices.firstIndex(of: value)!
        return "\(["A", "B", "C", "D"][index]). \(value)"
    case .reading(let text):
        let v = { (w: String) in text.entries.first { $0.word == w }!.value }
        switch q.kind {
        case .valueOf: return String(v(q.words![0]))
        case .sumOf: return String(v(q.words![0]) + v(q.words![1]))
        case .differenceOf: return String(v(q.words![0]) - v(q.words![1]))
        default: return text.entries.max { $0.value < $1.value }!.word
        }
    case .math(let tiles):
        let v = { (c: Colour) in tiles.tiles.first { $0.colour == c }!.value }
        let values = tiles.tiles.map(\.value)
        let c = q.colours ?? []
        switch q.kind {
        case .tileSum: return String(values.reduce(0, +))
        case .tileProduct: return String(v(c[0]) * v(c[1]))
        case .tileSumTimes: return String((v(c[0]) + v(c[1])) * v(c[2]))
        case .tileProductMinus: return String(v(c[0]) * v(c[1]) - v(c[2]))
        default: return String(values.max()! - values.min()!)
        }
    }
}

@Test(arguments: Difficulty.allCases)
func everyAnswerIsRightForItsScene(difficulty: Difficulty) throws {
    let items = try SuiteFixtures.items(test: 200, difficulty: difficulty)
    #expect(items.count == 200 * Family.allCases.count)
    for item in items {
        #expect(item.answer == oracle(item), "\(item.id): \(item.question)")
        #expect(item.family == item.scene.family)
        #expect(item.image == "images/\(item.id).png")
    }
}

@Test func questionsAreUnambiguousAndMostlyMultiStep() throws {
    for item in try SuiteFixtures.items() {
        switch item.query.kind {
        case .barDifference, .moreColour, .differenceOf:
            #expect(Int(item.solution.final)! > 0, "\(item.id) asks how much more but the answer is not positive")
        case .tallestBar, .largestWord, .mostColour:
            // The winner must be unique, or the word answer would be ambiguous.
            let final = item.solution.steps.compactMap { step -> Int? in
                if case .extreme(_, let values, let result) = step { return values.filter { $0 == result }.count }
                return nil
            }
            #expect(final == [1], "\(item.id) has a tie")
        default: break
        }
    }
    for family in Family.allCases {
        let items = try SuiteFixtures.items().filter { $0.family == family }
        let multi = items.filter { !$0.solution.steps.isEmpty && !$0.query.kind.isOneStep }.count
        #expect(Double(multi) / Double(items.count) > 0.6, "\(family): too many one-step questions")
    }
}

@Test func multipleChoiceHasFourDistinctOptionsHoldingTheAnswer() throws {
    let items = try SuiteFixtures.items().filter { $0.family == .choice }
    #expect(!items.isEmpty)
    for item in items {
        let choices = try #require(item.choices)
        #expect(choices.count == 4 && Set(choices).count == 4)
        #expect(choices.contains(item.solution.final))
        #expect(item.answerType == .multipleChoice)
        #expect(item.answer.range(of: #"^[A-D]\. \S+$"#, options: .regularExpression) != nil)
    }
    // Neither the letter nor the answer's rank among numeric options may be a shortcut.
    let letters = Dictionary(grouping: items, by: { $0.answer.prefix(1) }).mapValues(\.count)
    #expect(letters.count == 4 && letters.values.allSatisfy { $0 > items.count / 8 })
    let ranks = items.filter { Int($0.solution.final) != nil && Int($0.solution.final)! >= 3 }.map { item in
        item.choices!.compactMap(Int.init).sorted().firstIndex(of: Int(item.solution.final)!)!
    }
    let byRank = Dictionary(grouping: ranks, by: { $0 }).mapValues(\.count)
    #expect(byRank.count == 4 && byRank.values.allSatisfy { $0 > ranks.count / 8 }, "\(byRank)")
}

@Test func sameSeedSameItemsAndPixelsOtherSeedOtherItems() throws {
    let a = try SuiteFixtures.items(seed: 3, test: 50)
    let b = try SuiteFixtures.items(seed: 3, test: 50)
    let c = try SuiteFixtures.items(seed: 4, test: 50)
    #expect(try a.map(RowFiles.encode) == b.map(RowFiles.encode))
    #expect(a.map(\.scene) != c.map(\.scene))
    for (x, y) in zip(a.prefix(20), b.prefix(20)) {
        #expect(try PNGCodec.encode(x.scene.render(size: 64)) == PNGCodec.encode(y.scene.render(size: 64)))
    }
}

@Test func splitsNeverShareAScene() throws {
    var config = SuiteFixtures.config(test: 150, difficulty: .easy)
    config.train = 600
    config.validation = 100
    config.formatPerFamily = 20
    config.pretrainPerFamily = 100
    let generator = try SuiteGenerator(config: config)
    for family in Family.allCases {
        let suite = try generator.generate(family)
        let sets: [[Scene]] = Split.allCases.map { (suite.items[$0] ?? []).map(\.scene) }
            + [suite.format.map(\.scene), suite.pretrain.map(\.scene)]
        let all = sets.flatMap { $0 }
        #expect(Set(all.map { String(describing: $0) }).count == all.count, "\(family) repeats a scene")
    }
}

@Test func testSetDoesNotChangeWhenTrainingGrows() throws {
    var small = SuiteFixtures.config(test: 40)
    small.train = 10
    var large = small
    large.train = 300
    let a = try SuiteGenerator(config: small).generate(.chart).items[.test]
    let b = try SuiteGenerator(config: large).generate(.chart).items[.test]
    #expect(a == b)
}

@Test func tooManyScenesForTheSpaceIsAClearError() throws {
    var config = SuiteFixtures.config(test: 20_000, difficulty: .easy)
    config.families = [.math]
    #expect(throws: DataError.self) { try SuiteGenerator(config: config).generate(.math) }
}

@Test func badConfigurationsAreRejected() {
    var config = SuiteConfig()
    config.imageSize = 8
    #expect(throws: DataError.self) { try SuiteGenerator(config: config) }
    config = SuiteConfig()
    config.questionsPerScene = 0
    #expect(throws: DataError.self) { try SuiteGenerator(config: config) }
}

@Test func scenesRoundTripThroughJSON() throws {
    for item in try SuiteFixtures.items(test: 20) {
        let data = try RowFiles.encode(item)
        #expect(try JSONDecoder().decode(SuiteItem.self, from: data) == item)
        #expect(String(decoding: data, as: UTF8.self).contains("\"\(item.family.rawValue)\":{"))
    }
}

@Test(arguments: [64, 96, 128])
func chartPixelsShowTheBarHeights(size: Int) throws {
    let charts = try SuiteFixtures.items(test: 30).compactMap { item -> ChartScene? in
        if case .chart(let chart) = item.scene { return chart }
        return nil
    }
    let scale = Double(size) / 64
    for chart in charts {
        let image = chart.render(size: size)
        let slot = 64.0 / Double(chart.bars.count)
        for (i, bar) in chart.bars.enumerated() {
            let x = Int(((Double(i) + 0.5) * slot) * scale)
            var height = 0
            for y in 0..<size where image[x: x, y: y] == bar.colour.rgb { height += 1 }
            #expect(abs(Double(height) - Double(bar.value) * ChartScene.unit * scale) <= 1.0)
        }
    }
}

@Test func objectPixelsShowEachShapeInItsCellAndNothingElse() throws {
    for item in try SuiteFixtures.items(test: 40) where item.family == .counting {
        guard case .counting(let scene) = item.scene else { continue }
        let image = scene.render(size: 64)
        for cell in 0..<9 {
            let x = Int((Double(cell % 3) + 0.5) * ObjectScene.cellSize)
            let y = Int((Double(cell / 3) + 0.5) * ObjectScene.cellSize) + 3
            let object = scene.objects.first { $0.cell == cell }
            // 3 px below the centre lies inside every shape (a triangle is widest at its base).
            let pixel = image[x: x + object.map(\.dx).orZero, y: y + object.map(\.dy).orZero]
            #expect(pixel == (object?.colour.rgb ?? Ink.background), "\(item.id) cell \(cell)")
        }
    }
}

@Test func readingAndTilePixelsCarryText() throws {
    for item in try SuiteFixtures.items(test: 20) {
        let image = item.scene.render(size: 64)
        switch item.scene {
        case .reading:
            var inked = 0
            for y in 0..<64 { for x in 0..<64 where image[x: x, y: y] == Ink.text { inked += 1 } }
            #expect(inked > 40, "\(item.id) shows too little text")
        case .math(let scene):
            for tile in scene.tiles {
                let x0 = (tile.cell % 2) * 32 + 3, y0 = (tile.cell / 2) * 32 + 3
                var digit = 0
                for y in y0..<(y0 + 26) {
                    for x in x0..<(x0 + 26) where !(image[x: x, y: y] == tile.colour.rgb) { digit += 1 }
                }
                #expect(digit > 20, "\(item.id) tile \(tile.colour) shows no digit")
            }
        default: break
        }
    }
    #expect(TextScene.vocabulary.allSatisfy(PixelFont.canDraw))
}

private extension Optional where Wrapped == Int {
    var orZero: Int { self ?? 0 }
}

private func == (lhs: (UInt8, UInt8, UInt8), rhs: (UInt8, UInt8, UInt8)) -> Bool {
    lhs.0 == rhs.0 && lhs.1 == rhs.1 && lhs.2 == rhs.2
}

@Test func severalQuestionsPerSceneShareTheImageAndDiffer() throws {
    var config = SuiteFixtures.config(test: 30)
    config.questionsPerScene = 3
    let items = try SuiteGenerator(config: config).generate(.chart).items[.test] ?? []
    #expect(items.count == 90)
    let byImage = Dictionary(grouping: items, by: \.image)
    #expect(byImage.count == 30)
    let distinct = byImage.values.filter { Set($0.map(\.question)).count == 3 }.count
    #expect(distinct >= 25, "most scenes should get three different questions")
    #expect(items[0].id == "chart-test-000000-0" && items[0].image == "images/chart-test-000000.png")
}

@Test func answersAreNeverNegative() throws {
    for difficulty in Difficulty.allCases {
        for item in try SuiteFixtures.items(test: 200, difficulty: difficulty) {
            if let value = Int(item.solution.final) { #expect(value >= 0, "\(item.id): \(item.question)") }
        }
    }
}
