import Testing
@testable import ReasonerData

@Test func lookupDrillsCopyTheNamedValueFromTheCaptionInTheRationalesWords() throws {
    var config = SuiteFixtures.config(test: 0)
    config.pretrainPerFamily = 30
    let generator = try SuiteGenerator(config: config)
    for family in Family.allCases {
        var rng = SeededGenerator(seed: 1, stream: "drill-test")
        for record in try generator.generate(family).pretrain {
            let drill = BaseDrills.lookup(record.scene, rng: &rng)
            #expect(drill.kind == .lookup && drill.family == family)
            #expect(drill.prompt.hasPrefix(record.scene.caption + "\n"))
            // The sentence states a value the caption holds, as a rationale's look-up does.
            let check = ChainChecker.check("\(record.scene.caption) \(drill.response)", scene: record.scene,
                                           solution: Solution(readings: [], steps: []))
            #expect(check.computedWrong == 0, "\(drill.prompt) → \(drill.response)")
            #expect(ChainChecker.tokenise(drill.response).contains { Int($0) != nil }, "\(drill.response)")
            #expect(!drill.response.contains(StudentPrompt.answerMarker), "drills teach skills, not the answer format")
        }
    }
}

@Test func sceneFreeDrillsAreRightAndWordedAsRationales() {
    var rng = SeededGenerator(seed: 2, stream: "drills")
    for _ in 0..<300 {
        let arithmetic = BaseDrills.arithmetic(rng: &rng)
        #expect(arithmetic.response.hasPrefix(arithmetic.prompt.dropLast() + " = "), "the response repeats the prompt")
        let check = ChainChecker.check(arithmetic.response, scene: .math(TileScene(tiles: [])),
                                       solution: Solution(readings: [], steps: []))
        #expect(check.computedLines == 1 && check.computedWrong == 0, "\(arithmetic.response)")
        #expect(!arithmetic.response.contains("-") || !arithmetic.response.contains("= -"), "no negative results")

        let comparison = BaseDrills.comparison(rng: &rng)
        let largest = comparison.prompt.hasPrefix("Which is the largest of ")
        let list = comparison.prompt.components(separatedBy: " of ")[1].dropLast()
        let inside = list.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces))! }
        let expected = largest ? inside.max()! : inside.min()!
        #expect(comparison.response == "The \(largest ? "largest" : "smallest") of \(list) is \(expected).")
        #expect(ChainChecker.check(comparison.response, scene: .math(TileScene(tiles: [])),
                                   solution: Solution(readings: [], steps: [])).computedLines == 1)

        let counting = BaseDrills.counting(rng: &rng)
        let listed = counting.prompt.replacingOccurrences(of: "How many are listed? ", with: "")
        let n = listed == "none" ? 0 : listed.split(separator: ",").count
        #expect(counting.response == "Count listed: \(listed), so \(n).")
    }
}

@Test func drillsArePureFunctionsOfTheirStream() {
    var a = SeededGenerator(seed: 9, stream: "x"), b = SeededGenerator(seed: 9, stream: "x")
    for kind in [DrillKind.arithmetic, .comparison, .counting] {
        #expect(BaseDrills.draw(kind, scene: nil, rng: &a) == BaseDrills.draw(kind, scene: nil, rng: &b))
    }
}

@Test func chartLookupsCopyTheNamedBar() throws {
    let chart = ChartScene(bars: [.init(colour: .red, value: 7), .init(colour: .blue, value: 3)])
    var rng = SeededGenerator(seed: 4)
    for _ in 0..<10 {
        let (question, sentence, value) = Scene.chart(chart).lookup(&rng)
        #expect(question == "What is the value of the red bar?" ? sentence == "Read red 7." && value == "7"
                                                                  : sentence == "Read blue 3." && value == "3")
    }
}
