import Artifacts
import Foundation
import ReasonerData
import Training

/// The paper-table experiment over several seeds, each one pipeline run: the table per seed and pooled over seeds,
/// the paper's findings each with a paired bootstrap interval over items, accuracy by number of steps, the
/// statistics that tell a real gain from a lucky one, and the verifier — `results.md` and `results.json`.
public struct ExperimentReport {
    /// The runs, one per seed.
    public let runs: [(runID: String, seed: UInt64)]
    /// The artifacts volume holding them.
    public let artifacts: ArtifactStore
    /// Bootstrap resamples of every interval.
    public let resamples: Int

    /// A report of `runs`.
    public init(runs: [(runID: String, seed: UInt64)], artifacts: ArtifactStore, resamples: Int = 2000) {
        self.runs = runs
        self.artifacts = artifacts
        self.resamples = resamples
    }

    /// The rows of the table in the paper's order, with their labels.
    public static let rows: [(student: String, label: String)] = [
        ("sft-format", "① format"), ("sft-format+direct", "② +direct"), ("sft-format+cot", "③ +CoT"),
        ("sft-format+direct+cot", "④ +direct+CoT"), ("dpo", "⑥ ④ + DPO"), ("dpo-rpo", "④ + DPO + NLL (RPO)"),
        ("dpo-full", "④ + DPO, whole responses"), ("dpo-2", "④ + DPO, round 2"), ("rft", "④ + RFT"),
    ]

    /// One judged answer of one seed.
    struct Answer {
        let seed: UInt64
        let result: EvalResult
        let steps: Int
    }

    /// A comparison the findings make: `b − a` on the same items.
    public struct Comparison: Codable, Sendable, Equatable {
        /// What it tests.
        public var name: String
        /// Pooled over seeds.
        public var pooled: DifferenceEstimate
        /// Per seed.
        public var perSeed: [String: DifferenceEstimate]
    }

    /// Everything the report states, as JSON.
    public struct Results: Codable, Sendable, Equatable {
        /// Per student and mode: accuracy per seed and pooled (`"<student>/<mode>"` → `"seed N"`/`"pooled"`).
        public var accuracy: [String: [String: AccuracyEstimate]]
        /// The findings' comparisons.
        public var comparisons: [Comparison]
        /// Each run's findings.
        public var findings: [RunFindings]
    }

    /// Reads every run's answers and findings and writes `results.md`, `results.json` and, per seed, the judged
    /// answers as `items-seed<N>.jsonl` into `folder`; returns the Markdown.
    @discardableResult
    public func write(to folder: URL, title: String, settings: String, wallTime: [String: Double]) throws -> String {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var answers: [Answer] = [], findings: [RunFindings] = []
        for (runID, seed) in runs {
            let eval = try RunLayout(runID: runID).evaluations
            let run = try JSONDecoder().decode(RunFindings.self, from: try artifacts.read(try eval.appending("findings.json")))
            findings.append(run)
            let items = try artifacts.read(try eval.appending("items.jsonl"))
            try items.write(to: folder.appendingPathComponent("items-seed\(seed).jsonl"))
            let steps = try stepCounts(runID: runID)
            for line in items.split(separator: UInt8(ascii: "\n")) {
                let result = try JSONDecoder().decode(EvalResult.self, from: Data(line))
                answers.append(Answer(seed: seed, result: result, steps: steps[result.id] ?? 0))
            }
        }
        let results = Results(accuracy: accuracy(answers), comparisons: try comparisons(answers), findings: findings)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(results).write(to: folder.appendingPathComponent("results.json"))
        let markdown = self.markdown(results, answers: answers, title: title, settings: settings, wallTime: wallTime)
        try Data(markdown.utf8).write(to: folder.appendingPathComponent("results.md"))
        return markdown
    }

    /// Each evaluated item's number of steps.
    func stepCounts(runID: String) throws -> [String: Int] {
        let test = try artifacts.path(of: try RunLayout(runID: runID).data.appending("test.jsonl"))
        let validation = try artifacts.path(of: try RunLayout(runID: runID).data.appending("validation.jsonl"))
        var steps: [String: Int] = [:]
        for path in [test, validation] where FileManager.default.fileExists(atPath: path) {
            for item in try RowFiles.read(SuiteItem.self, path: path).rows { steps[item.id] = item.solution.stepCount }
        }
        return steps
    }

    /// Mean accuracy over families of a set of answers (the paper's average column), for pooling and pairing.
    func accuracy(_ answers: [Answer]) -> [String: [String: AccuracyEstimate]] {
        var out: [String: [String: AccuracyEstimate]] = [:]
        let groups = Dictionary(grouping: answers) { "\($0.result.model)/\($0.result.mode.rawValue)" }
        for (key, group) in groups {
            var cells: [String: AccuracyEstimate] = [:]
            for (seed, mine) in Dictionary(grouping: group, by: \.seed) {
                cells["seed \(seed)"] = estimate(mine, stream: key + "/\(seed)")
            }
            cells["pooled"] = estimate(group, stream: key + "/pooled")
            for family in Family.allCases {
                let mine = group.filter { $0.result.family == family }
                if !mine.isEmpty { cells[family.rawValue] = estimate(mine, stream: key + "/" + family.rawValue) }
            }
            out[key] = cells
        }
        return out
    }

    private func estimate(_ answers: [Answer], stream: String) -> AccuracyEstimate {
        var rng = SeededGenerator(seed: 1, stream: stream)
        let sorted = answers.sorted { ($0.seed, $0.result.id) < ($1.seed, $1.result.id) }
        return BootstrapInterval.estimate(sorted.map(\.result.correct), resamples: resamples, seed: rng.next())
    }

    /// Paired scores of two (student, mode) cells on the items both answered, optionally only items of `minSteps`+.
    private func paired(_ answers: [Answer], _ a: (String, PromptMode), _ b: (String, PromptMode), seed: UInt64?,
                        minSteps: Int = 0) -> ([Double], [Double]) {
        func scores(_ cell: (String, PromptMode)) -> [String: Double] {
            Dictionary(answers.filter {
                $0.result.model == cell.0 && $0.result.mode == cell.1 && (seed == nil || $0.seed == seed)
                    && $0.steps >= minSteps
            }.map { ("\($0.seed)/\($0.result.id)", $0.result.correct ? 1.0 : 0.0) }, uniquingKeysWith: { first, _ in first })
        }
        let x = scores(a), y = scores(b)
        let keys = x.keys.filter { y[$0] != nil }.sorted()
        return (keys.map { x[$0]! }, keys.map { y[$0]! })
    }

    func comparisons(_ answers: [Answer]) throws -> [Comparison] {
        let seeds = runs.map(\.seed)
        func compare(_ name: String, _ a: (String, PromptMode), _ b: (String, PromptMode), minSteps: Int = 0) -> Comparison? {
            let pooled = paired(answers, a, b, seed: nil, minSteps: minSteps)
            guard !pooled.0.isEmpty else { return nil }
            let perSeed = Dictionary(uniqueKeysWithValues: seeds.map { ($0, paired(answers, a, b, seed: $0, minSteps: minSteps)) })
            return comparison(name, perSeed: perSeed.filter { !$0.value.0.isEmpty }, pooled: pooled)
        }
        let two = "sft-format+direct", three = "sft-format+cot", four = "sft-format+direct+cot"
        var out = [
            compare("(a) ② CoT − ② direct", (two, .direct), (two, .cot)),
            compare("(b) ④ CoT − ② CoT", (two, .cot), (four, .cot)),
            compare("(b) ③ CoT − ② CoT", (two, .cot), (three, .cot)),
            compare("(b) ④ CoT − ④ direct, questions of 2+ steps", (four, .direct), (four, .cot), minSteps: 2),
            compare("(c) DPO CoT − ④ CoT", (four, .cot), ("dpo", .cot)),
            compare("(c) DPO direct − ④ direct", (four, .direct), ("dpo", .direct)),
            compare("RPO CoT − ④ CoT", (four, .cot), ("dpo-rpo", .cot)),
            compare("DPO on whole responses CoT − ④ CoT", (four, .cot), ("dpo-full", .cot)),
            compare("DPO round 2 CoT − DPO CoT", ("dpo", .cot), ("dpo-2", .cot)),
            compare("RFT CoT − ④ CoT", (four, .cot), ("rft", .cot)),
        ].compactMap { $0 }
        out += try verifierComparisons(n: 16)
        return out
    }

    /// A comparison from its paired scores: per seed (each resampled with its own seed) and pooled.
    func comparison(_ name: String, perSeed: [UInt64: ([Double], [Double])], pooled: ([Double], [Double])) -> Comparison {
        Comparison(name: name,
                   pooled: BootstrapInterval.pairedDifference(pooled.0, pooled.1, resamples: resamples, seed: 7),
                   perSeed: Dictionary(uniqueKeysWithValues: perSeed.map { seed, pair in
                       ("seed \(seed)", BootstrapInterval.pairedDifference(pair.0, pair.1, resamples: resamples, seed: seed))
                   }))
    }

    /// (d): reward-weighted vote and best-of-N against majority vote at N, paired over the verifier's items.
    func verifierComparisons(n: Int) throws -> [Comparison] {
        var majority: [UInt64: [Double]] = [:], weighted: [UInt64: [Double]] = [:], best: [UInt64: [Double]] = [:]
        for (runID, seed) in runs {
            let layout = RunLayout(runID: runID)
            let folder = try layout.verifierFolder
            guard try artifacts.exists(folder) else { continue }
            var rewarded: [RewardedChains] = []
            for ref in try artifacts.list(folder) where ref.name.hasSuffix(".jsonl") {
                for line in try artifacts.read(ref).split(separator: UInt8(ascii: "\n")) {
                    rewarded.append(try JSONDecoder().decode(RewardedChains.self, from: Data(line)))
                }
            }
            let test = try artifacts.path(of: try layout.data.appending("test.jsonl"))
            let items = try RowFiles.read(SuiteItem.self, path: test).rows
            let o = Verifier.outcomes(rewarded, items: items, n: n)
            let score = { (values: [Bool]) in values.map { $0 ? 1.0 : 0.0 } }
            (majority[seed], weighted[seed], best[seed]) = (score(o.majority), score(o.weighted), score(o.bestOfN))
        }
        guard !majority.isEmpty else { return [] }
        func compare(_ name: String, _ other: [UInt64: [Double]]) -> Comparison {
            let keys = majority.keys.sorted()
            return comparison(name, perSeed: Dictionary(uniqueKeysWithValues: majority.map { ($0.key, ($0.value, other[$0.key]!)) }),
                              pooled: (keys.flatMap { majority[$0]! }, keys.flatMap { other[$0]! }))
        }
        return [compare("(d) weighted vote − majority vote at N = \(n)", weighted),
                compare("(d) best-of-\(n) − majority vote at N = \(n)", best)]
    }

    func markdown(_ results: Results, answers: [Answer], title: String, settings: String,
                  wallTime: [String: Double]) -> String {
        let seeds = runs.map(\.seed)
        func cell(_ key: String, _ column: String) -> String {
            guard let e = results.accuracy[key]?[column] else { return "–" }
            return String(format: "%.1f [%.1f, %.1f]", 100 * e.accuracy, 100 * e.low, 100 * e.high)
        }
        var md = "# \(title)\n\n"
        md += "Every number below is regenerated by the command at the end from the runs' per-item outputs "
            + "(`items-seed<N>.jsonl` beside this file: item id, student, mode, response, verdict). Accuracy in "
            + "percent with a 95% bootstrap interval over items; comparisons are paired bootstraps over the same "
            + "items (pooled: over every seed's items).\n\n"
        md += "## The table, pooled over seeds \(seeds.map(String.init).joined(separator: ", "))\n\n"
        md += "| student | " + Family.allCases.map(\.rawValue).joined(separator: " | ") + " | all |\n"
        md += "|---|" + String(repeating: "---|", count: Family.allCases.count + 1) + "\n"
        for (student, label) in Self.rows where results.accuracy["\(student)/cot"] != nil {
            let cells = (Family.allCases.map(\.rawValue) + ["pooled"]).map { column in
                cell("\(student)/direct", column) + " / " + cell("\(student)/cot", column)
            }
            md += "| \(label) | " + cells.joined(separator: " | ") + " |\n"
        }
        md += "\nEach cell: direct / CoT.\n\n## Per seed (all families)\n\n| student | "
            + seeds.map { "seed \($0)" }.joined(separator: " | ") + " | pooled |\n|---|"
            + String(repeating: "---|", count: seeds.count + 1) + "\n"
        for (student, label) in Self.rows where results.accuracy["\(student)/cot"] != nil {
            md += "| \(label) | " + (seeds.map { "seed \($0)" } + ["pooled"]).map { column in
                cell("\(student)/direct", column) + " / " + cell("\(student)/cot", column)
            }.joined(separator: " | ") + " |\n"
        }
        md += "\n## The findings\n\n| comparison | pooled difference [95% CI] | "
            + seeds.map { "seed \($0)" }.joined(separator: " | ") + " |\n|---|---|"
            + String(repeating: "---|", count: seeds.count) + "\n"
        for c in results.comparisons {
            let format = { (d: DifferenceEstimate) in
                String(format: "%+.1f [%+.1f, %+.1f]", 100 * d.difference, 100 * d.low, 100 * d.high)
            }
            md += "| \(c.name) | \(format(c.pooled)) | "
                + seeds.map { c.perSeed["seed \($0)"].map(format) ?? "–" }.joined(separator: " | ") + " |\n"
        }
        md += "\nPoints of accuracy, b − a; an interval above 0 is a gain that resampling items does not undo.\n\n"
        md += "## Accuracy by number of steps (pooled)\n\n| student | mode | " + "steps: accuracy (items) |\n|---|---|---|\n"
        for (student, label) in Self.rows {
            for mode in [PromptMode.direct, .cot] {
                let mine = answers.filter { $0.result.model == student && $0.result.mode == mode }
                guard !mine.isEmpty else { continue }
                let groups = Dictionary(grouping: mine, by: \.steps).sorted { $0.key < $1.key }
                md += "| \(label) | \(mode.rawValue) | " + groups.map { steps, group in
                    String(format: "%d: %.1f%% (%d)", steps,
                           100 * Double(group.filter(\.result.correct).count) / Double(group.count), group.count)
                }.joined(separator: ", ") + " |\n"
            }
        }
        for run in results.findings {
            md += "\n## Seed \(run.seed) (run `\(run.runID)`)\n\n" + RunReport.markdown(run)
        }
        md += "\n## Settings and wall time\n\n" + settings + "\n\n| stage | seconds |\n|---|---|\n"
        for (stage, seconds) in wallTime.sorted(by: { $0.key < $1.key }) {
            md += String(format: "| %@ | %.0f |\n", stage, seconds)
        }
        return md
    }
}
