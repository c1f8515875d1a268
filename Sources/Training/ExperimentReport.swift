import Foundation
import ReasonerData

/// `results.md` in the paper's layout (rows ①②③④ and DPO, a column per family and the average, each cell
/// "direct / CoT" with 95% bootstrap intervals), `results.json`, and the SVG plots: training loss curves, DPO
/// reward margins and accuracies, and verifier accuracy against N.
struct ExperimentReport {
    let preset: ExperimentPreset
    let output: URL
    let summaries: [String: EvaluationSummary]
    let curve: [VerifierPoint]
    let timings: [String: Double]

    func cell(_ estimate: AccuracyEstimate?) -> String {
        guard let estimate else { return "–" }
        return String(format: "%.2f [%.2f, %.2f]", estimate.accuracy, estimate.low, estimate.high)
    }

    /// Writes everything; returns the path of `results.md`.
    func write() throws -> String {
        let families = Family.allCases.filter { family in summaries.values.contains { $0.cells[family.rawValue] != nil } }
        var md = "# Paper table — preset `\(preset.name)`, seed \(preset.suite.seed)\n\n"
        md += "Accuracy on \(preset.evaluationItems) test items per family, greedy, judged by `AnswerJudge`; each cell "
            + "is direct / CoT with a 95% bootstrap interval. The average is the mean of the family accuracies "
            + "(its interval is over all items).\n\n"
        md += "| model | " + families.map(\.rawValue).joined(separator: " | ") + " | avg |\n"
        md += "|---|" + String(repeating: "---|", count: families.count + 1) + "\n"
        for (name, label) in PaperTableExperiment.models {
            guard let summary = summaries[name] else { continue }
            let cells = families.map { family in
                cell(summary.cells[family.rawValue]?["direct"]) + " / " + cell(summary.cells[family.rawValue]?["cot"])
            }
            md += "| \(label) | " + cells.joined(separator: " | ") + " | "
                + cell(summary.average["direct"]) + " / " + cell(summary.average["cot"]) + " |\n"
        }
        if summaries["dpo"] == nil {
            md += "\nDPO was not run: no sampled question gave a preference pair (see `pairs/statistics.json`).\n"
        }
        md += "\n## Verifier (chains from ④, reward β·log(π_DPO/π_SFT), \(preset.verifierItems) test items per family)\n\n"
        md += "| N | majority vote | best-of-N | reward-weighted vote |\n|---|---|---|---|\n"
        for point in curve {
            md += String(format: "| %d | %.3f | %.3f | %.3f |\n", point.n, point.majority, point.bestOfN, point.weightedVote)
        }
        if let stats = try? Data(contentsOf: output.appendingPathComponent("pairs/statistics.json")),
           let text = String(data: stats, encoding: .utf8) {
            md += "\n## Preference pairs\n\n```json\n\(text)\n```\n"
        }
        md += "\n## Wall time per stage (seconds, this machine)\n\n| stage | s |\n|---|---|\n"
        for (name, seconds) in timings.sorted(by: { $0.key < $1.key }) { md += String(format: "| %@ | %.0f |\n", name, seconds) }
        md += "\nPlots: `loss.svg`, `dpo.svg`, `verifier.svg`. Settings: `preset.json`.\n"
        try Data(md.utf8).write(to: output.appendingPathComponent("results.md"), options: .atomic)

        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(Results(preset: preset.name, seed: preset.suite.seed, evaluations: summaries,
                                   verifier: curve)).write(to: output.appendingPathComponent("results.json"))
        try writePlots()
        return output.appendingPathComponent("results.md").path
    }

    struct Results: Encodable {
        var preset: String
        var seed: UInt64
        var evaluations: [String: EvaluationSummary]
        var verifier: [VerifierPoint]
    }

    func writePlots() throws {
        let run = { (name: String) in self.output.appendingPathComponent(name) }
        let loss = TrainingPlots.loss([("pretrain", run("pretrain"))] + [SFTMix.format, .formatDirect, .formatCoT,
                                                                          .formatDirectCoT].map {
            ($0.label, run("sft-" + $0.rawValue))
        })
        let dpo = TrainingPlots.dpo(run("dpo"))
        let verifier = SVGPlot(title: "Verifier accuracy vs N", xLabel: "N (chains)", yLabel: "accuracy", series: [
            SVGPlot.Series(name: "majority", points: curve.map { (Double($0.n), $0.majority) }),
            SVGPlot.Series(name: "best-of-N", points: curve.map { (Double($0.n), $0.bestOfN) }),
            SVGPlot.Series(name: "weighted vote", points: curve.map { (Double($0.n), $0.weightedVote) }),
        ])
        for (name, plot) in [("loss.svg", loss), ("dpo.svg", dpo), ("verifier.svg", verifier)] {
            try Data(plot.render().utf8).write(to: output.appendingPathComponent(name), options: .atomic)
        }
    }
}
