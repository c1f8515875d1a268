import Testing
@testable import ReasonerData

@Test func drillsTeachLookupsArithmeticAndRationalesInText() throws {
    var config = SuiteFixtures.config(test: 0)
    config.pretrainPerFamily = 30
    let generator = try SuiteGenerator(config: config)
    for family in Family.allCases {
        var rng = SeededGenerator(seed: 1, stream: "drill-test")
        for record in try generator.generate(family).pretrain {
            let query = record.scene.randomQuery(&rng, difficulty: .medium)
            let lookup = TrainingRows.drill(record, query: query, kind: .lookup, rng: &rng)
            let prompt = lookup.conversations[0].value, answer = lookup.conversations[1].value
            #expect(lookup.image == nil && prompt.hasPrefix(record.scene.caption + "\n"))
            // The looked-up value is copied from the caption: "red 7" there, "The red bar is 7." here.
            let words = ChainChecker.tokenise(answer)
            #expect(ChainChecker.check("\(record.scene.caption) \(answer)", scene: record.scene,
                                       solution: Solution(readings: [], steps: [])).computedWrong == 0)
            #expect(words.contains { Int($0) != nil }, "\(answer)")
            #expect(AnswerExtractor.extract(answer).rule == .marker)
            let arithmetic = TrainingRows.drill(record, query: query, kind: .arithmetic, rng: &rng)
            if arithmetic.conversations[0].value.hasSuffix("=") {
                let check = ChainChecker.check(arithmetic.conversations[1].value, scene: record.scene,
                                               solution: Solution(readings: [], steps: []))
                #expect(check.computedLines == 1 && check.computedWrong == 0)
            }
            let rationale = TrainingRows.drill(record, query: query, kind: .rationale, rng: &rng)
            let target = rationale.conversations[1].value
            #expect(target.hasSuffix("### Answer: \(record.scene.solve(query).final)"))
            #expect(ChainChecker.check(record.scene.caption + " " + target, scene: record.scene,
                                       solution: record.scene.solve(query)).intermediatesRight, "\(record.scene.caption) \(target)")
        }
    }
}

@Test func chartLookupsCopyTheNamedBar() throws {
    let chart = ChartScene(bars: [.init(colour: .red, value: 7), .init(colour: .blue, value: 3)])
    var rng = SeededGenerator(seed: 4)
    for _ in 0..<10 {
        let (question, sentence, value) = Scene.chart(chart).lookup(&rng)
        #expect(question == "What is the value of the red bar?" ? sentence == "The red bar is 7." && value == "7"
                                                                  : sentence == "The blue bar is 3." && value == "3")
    }
}
