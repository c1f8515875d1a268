import Foundation
import ReasonerData
import Training

/// The evaluation of a run: accuracy per student, prompt mode and family (and over all families), with CIs —
/// `summary.json`, and `results.md` in the paper's layout (a row per student, a column per family, "direct / CoT"
/// in each cell).
public struct EvaluationReport: Codable, Sendable, Equatable {
    /// One student in one mode.
    public struct Cell: Codable, Sendable, Equatable {
        /// The student's name.
        public var model: String
        /// The prompt mode.
        public var mode: PromptMode
        /// Per family, and `all`.
        public var accuracy: [String: AccuracyEstimate]
    }

    /// Every student and mode evaluated, in the order of `models`.
    public var cells: [Cell]
    /// The families, in order.
    public var families: [String]

    /// Summarises `results`; students appear in `models` order.
    public static func summarise(_ results: [EvalResult], models: [String], resamples: Int,
                                 seed: UInt64) -> EvaluationReport {
        let families = Family.allCases.map(\.rawValue).filter { name in results.contains { $0.family.rawValue == name } }
        var cells: [Cell] = []
        for model in models {
            for mode in PromptMode.allCases {
                let mine = results.filter { $0.model == model && $0.mode == mode }
                guard !mine.isEmpty else { continue }
                var accuracy: [String: AccuracyEstimate] = [:]
                for family in families + ["all"] {
                    let outcomes = mine.filter { family == "all" || $0.family.rawValue == family }
                        .sorted { $0.id < $1.id }.map(\.correct)
                    var cellSeed = SeededGenerator(seed: seed, stream: "\(model)/\(mode.rawValue)/\(family)")
                    accuracy[family] = BootstrapInterval.estimate(outcomes, resamples: resamples, seed: cellSeed.next())
                }
                cells.append(Cell(model: model, mode: mode, accuracy: accuracy))
            }
        }
        return EvaluationReport(cells: cells, families: families)
    }

    /// The markdown table: a row per student, a column per family and one for all, "direct / CoT" accuracies (in
    /// percent) with their 95% intervals.
    public var markdown: String {
        let columns = families + ["all"]
        var lines = ["| student | " + columns.joined(separator: " | ") + " |",
                     "|---|" + String(repeating: "---|", count: columns.count)]
        var models: [String] = []
        for cell in cells where !models.contains(cell.model) { models.append(cell.model) }
        for model in models {
            let modes = [PromptMode.direct, .cot].map { mode in cells.first { $0.model == model && $0.mode == mode } }
            let entries = columns.map { family in
                modes.map { cell -> String in
                    guard let estimate = cell?.accuracy[family] else { return "–" }
                    return String(format: "%.1f [%.1f, %.1f]", 100 * estimate.accuracy, 100 * estimate.low,
                                  100 * estimate.high)
                }.joined(separator: " / ")
            }
            lines.append("| \(model) | " + entries.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n\nEach cell: direct / CoT accuracy in percent, 95% bootstrap "
            + "interval in brackets (greedy answers, one judge for both modes).\n"
    }
}
