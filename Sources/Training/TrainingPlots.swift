import Foundation

/// The plots of training run folders (`TrainingRunFolder`), from their `metrics.jsonl`: what the experiment report
/// and the fleet's run report draw.
public enum TrainingPlots {
    /// One metric of a run folder against the step (no points when the folder has no metrics).
    public static func series(_ folder: URL, _ metric: String, name: String) -> SVGPlot.Series {
        let rows = MetricsLog.read(TrainingRunFolder(folder).metricsFile)
        return SVGPlot.Series(name: name, points: rows.compactMap { row in
            guard let step = row["step"], let value = row[metric] else { return nil }
            return (step, value)
        })
    }

    /// The training loss of several runs, each under its name.
    public static func loss(_ runs: [(name: String, folder: URL)]) -> SVGPlot {
        SVGPlot(title: "Training loss", xLabel: "step", yLabel: "loss",
                series: runs.map { series($0.folder, "loss", name: $0.name) })
    }

    /// A DPO run's reward margins, reward accuracies and loss (TRL's names).
    public static func dpo(_ folder: URL) -> SVGPlot {
        SVGPlot(title: "DPO", xLabel: "step", yLabel: "value", series: ["rewards/margins", "rewards/accuracies", "loss"]
            .map { series(folder, $0, name: $0) })
    }
}
