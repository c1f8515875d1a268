import ArgumentParser
import Foundation
import ReasonerData

/// `reasoner-bench judge`: judgements per second on one core, over a realistic mix of chains and direct answers.
struct JudgeBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "judge",
        abstract: "Answer-judge throughput on one core (target: at least 50,000 judgements/s)."
    )

    @Option(help: "Judgements to time.")
    var count: Int = 500_000

    @Option(help: "Seed of the generated items and chains.")
    var seed: UInt64 = 1

    func run() throws {
        var config = SuiteConfig()
        config.seed = seed
        config.train = 0
        config.validation = 0
        config.test = 400
        config.formatPerFamily = 0
        config.pretrainPerFamily = 0
        let generator = try SuiteGenerator(config: config)
        let teacher = OfflineTeacher(seed: seed, errorRate: 0.3)
        var cases: [(String, AnswerKey)] = []
        for family in Family.allCases {
            for item in try generator.generate(family).items[.test] ?? [] {
                cases.append((teacher.rationale(for: item).text, AnswerKey(item)))
                cases.append((item.answer, AnswerKey(item)))
            }
        }
        var tally = [0, 0, 0]
        let start = DispatchTime.now().uptimeNanoseconds
        for i in 0..<count {
            let (response, key) = cases[i % cases.count]
            switch AnswerJudge.judge(response, key: key).verdict {
            case .correct: tally[0] += 1
            case .wrong: tally[1] += 1
            case .unscorable: tally[2] += 1
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        print("judge: \(count) judgements in \(String(format: "%.3f", seconds)) s = "
              + "\(Int(Double(count) / seconds)) judgements/s on one core (target 50000)")
        print("  mix: \(cases.count / 2) items x (CoT chain at 30% teacher error + direct answer); "
              + "correct \(tally[0]), wrong \(tally[1]), unscorable \(tally[2])")
    }
}
