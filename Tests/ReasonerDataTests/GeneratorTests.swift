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
        case .barSumMinus: return String(v(q.colours![0]) + v(q.colours![1]) - v(q.colours![2]))
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
        case .notColour: value = String(scene.objects.count - n(q.colours![0]))
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
        case .largestMinus: return String(text.entries.map(\.value).max()! - v(q.words![0]))
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

/// The pixels of the 8x8 patch at grid (`column`, `row`) of a 64x64 image.
private func patch(_ image: RGBImage, column: Int, row: Int) -> [(UInt8, UInt8, UInt8)] {
    (0..<64).map { i in image[x: column * 8 + i % 8, y: row * 8 + i / 8] }
}

private func count(_ pixels: [(UInt8, UInt8, UInt8)], _ colour: (UInt8, UInt8, UInt8)) -> Int {
    pixels.filter { $0 == colour }.count
}

@Test(arguments: [64, 128])
func chartBarsAreWholePatchesWideAndHigh(size: Int) throws {
    let charts = try SuiteFixtures.items(test: 30).compactMap { item -> ChartScene? in
        if case .chart(let chart) = item.scene { return chart }
        return nil
    }
    let scale = size / 64
    for chart in charts {
        let image = chart.render(size: size)
        var columns: [Int: ChartScene.Bar] = [:]
        for (i, bar) in chart.bars.enumerated() { columns[ChartScene.column(i, of: chart.bars.count)] = bar }
        #expect(columns.count == chart.bars.count, "every bar has a column of its own")
        for column in 0..<8 {
            for row in 0..<8 {
                let bar = columns[column], filled = bar.map { row >= 8 - $0.value } ?? false
                let expected = filled ? bar!.colour.rgb : Ink.background
                // Every pixel of the patch (scaled) has one colour: the bar's, or the background.
                for dy in 0..<(8 * scale) {
                    for dx in 0..<(8 * scale) {
                        #expect(image[x: column * 8 * scale + dx, y: row * 8 * scale + dy] == expected,
                                "\(chart.caption) patch \(column),\(row)")
                    }
                }
            }
        }
    }
}

@Test func eachShapeFillsOnePatchOfItsCellAndNothingElseIsDrawn() throws {
    for item in try SuiteFixtures.items(test: 40) where item.family == .counting {
        guard case .counting(let scene) = item.scene else { continue }
        let image = scene.render(size: 64)
        for column in 0..<8 {
            for row in 0..<8 {
                let pixels = patch(image, column: column, row: row)
                let object = scene.objects.first { ObjectScene.origin($0.cell) == (Double(column * 8), Double(row * 8)) }
                guard let object else {
                    #expect(count(pixels, Ink.background) == 64, "\(item.id) patch \(column),\(row) is blank")
                    continue
                }
                let inked = count(pixels, object.colour.rgb)
                #expect(inked + count(pixels, Ink.background) == 64, "\(item.id): one colour per patch")
                switch object.shape {
                case .square: #expect(inked == 64)
                case .circle: #expect((40...56).contains(inked), "circle of \(inked) pixels")
                case .triangle: #expect((24...40).contains(inked), "triangle of \(inked) pixels")
                }
            }
        }
    }
}

@Test func textAndTileDigitsFillOnePatchPerCharacter() throws {
    for item in try SuiteFixtures.items(test: 20) {
        let image = item.scene.render(size: 64)
        switch item.scene {
        case .reading(let scene):
            let rows = scene.entries.count == 2 ? [2, 5] : [1, 3, 5]
            var characters: [Int: Character] = [:]  // cell index -> character
            for (entry, row) in zip(scene.entries, rows) {
                for (i, character) in "\(entry.word) \(entry.value)".enumerated() {
                    characters[row * 8 + scene.indent + i] = character
                }
            }
            for cell in 0..<64 {
                let inked = count(patch(image, column: cell % 8, row: cell / 8), Ink.text)
                if let character = characters[cell], character != " " {
                    #expect(inked >= 8, "\(item.id): \(character) in cell \(cell) has \(inked) pixels")
                } else {
                    #expect(inked == 0, "\(item.id): ink outside the characters' cells (cell \(cell))")
                }
            }
        case .math(let scene):
            for tile in scene.tiles {
                let column = 4 * (tile.cell % 2), row = 4 * (tile.cell / 2)
                for dx in 0..<3 {
                    for dy in 0..<3 {
                        let pixels = patch(image, column: column + dx, row: row + dy)
                        let tileColoured = count(pixels, tile.colour.rgb)
                        if dx == 1 && dy == 1 {
                            #expect(64 - tileColoured >= 8, "\(item.id) tile \(tile.colour) shows its digit")
                        } else {
                            #expect(tileColoured == 64, "\(item.id): the digit stays in the centre patch")
                        }
                    }
                }
            }
        default: break
        }
    }
    #expect(TextScene.vocabulary.allSatisfy(PixelFont.canDraw))
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
