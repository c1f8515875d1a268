import ArgumentParser
import Foundation
import ReasonerData

/// `reasoner judge`: scores a predictions file.
struct JudgeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "judge",
        abstract: "Judge predictions: {id, prediction, answer, answer_type, choices?} rows in, verdicts out."
    )

    @Option(name: .shortAndLong, help: "Predictions, JSONL or a JSON array.")
    var input: String

    @Option(name: .shortAndLong, help: "Verdicts to write as JSONL: {id, extracted, verdict, rule, extraction, score}.")
    var output: String

    func run() throws {
        let summary = try JudgeFiles.judge(input: input, output: output)
        for problem in summary.problems {
            FileHandle.standardError.write(Data("skipped \(problem)\n".utf8))
        }
        let total = max(1, summary.judged)
        print("judged \(summary.judged): correct \(summary.correct) (\(summary.correct * 100 / total)%), "
              + "wrong \(summary.wrong), unscorable \(summary.unscorable); skipped \(summary.problems.count)")
    }
}
