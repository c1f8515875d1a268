import Artifacts
import Foundation
import ReasonerData
import Training

/// The report of one run, written by the runner at the end: `eval/summary.json` and `eval/results.md` (the paper's
/// table), `eval/findings.json` (accuracy by number of steps, sampling statistics, arithmetic self-consistency, the
/// verifier's curve and rewards), `eval/items.jsonl` (every judged answer, for re-scoring), and the plots.
struct RunReport {
    let context: StageContext

    func write() throws {
        let definition = context.definition, layout = context.layout, artifacts = context.artifacts
        let students = try RunStudents(context: context).evaluated()
        var results: [EvalResult] = []
        for (_, shard) in try EvaluateStage.shards(context) {
            results += try RowFiles.read(EvalResult.self, path: try artifacts.path(of: shard.output)).rows
        }
        let items = try evaluatedItems()
        let report = EvaluationReport.summarise(results, models: students.map(\.name),
                                                resamples: definition.evaluate.bootstrapSamples,
                                                seed: definition.evaluate.seed)
        let findings = try findings(results: results, items: items, students: students.map(\.name))
        let folder = try layout.evaluations
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try artifacts.write(try encoder.encode(report), to: try folder.appending("summary.json"))
        try artifacts.write(try encoder.encode(findings), to: try folder.appending("findings.json"))
        try artifacts.write(try RowFiles.jsonLines(results), to: try folder.appending("items.jsonl"))
        let markdown = "# \(definition.name): run \(context.runID)\n\nSplit `\(definition.evaluate.split.rawValue)`, "
            + "\(results.count) judged answers.\n\n" + report.markdown + "\n" + Self.markdown(findings)
            + "\nPlots: `loss.svg`, `dpo.svg` (when DPO ran), `verifier.svg` (when the verifier ran).\n"
        try artifacts.write(Data(markdown.utf8), to: try folder.appending("results.md"))
        try writePlots(findings, into: folder)
    }

    /// The evaluated items by id (their family and number of steps).
    func evaluatedItems() throws -> [String: SuiteItem] {
        let settings = context.definition.evaluate
        let file = try ItemSubsets.ref(split: settings.split, perFamily: settings.itemsPerFamily, context: context)
        let items = try RowFiles.read(SuiteItem.self, path: try context.artifacts.path(of: file)).rows
        return Dictionary(items.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    func findings(results: [EvalResult], items: [String: SuiteItem], students: [String]) throws -> RunFindings {
        let definition = context.definition
        var byStep: [String: AccuracyEstimate] = [:], consistency: [String: Consistency] = [:]
        for student in students {
            for mode in definition.evaluate.modes {
                let mine = results.filter { $0.model == student && $0.mode == mode }.sorted { $0.id < $1.id }
                let groups = Dictionary(grouping: mine) { items[$0.id]?.solution.stepCount ?? 0 }
                for (steps, group) in groups {
                    var seed = SeededGenerator(seed: definition.evaluate.seed, stream: "\(student)/\(mode)/\(steps)")
                    byStep["\(student)/\(mode.rawValue)/\(steps)"] = BootstrapInterval.estimate(
                        group.map(\.correct), resamples: definition.evaluate.bootstrapSamples, seed: seed.next())
                }
                guard mode == .cot else { continue }
                var tally = Consistency(lines: 0, wrong: 0, rightSteps: 0, answers: 0)
                for result in mine {
                    guard let item = items[result.id] else { continue }
                    let check = ChainChecker.check(result.response, item: item)
                    tally.lines += check.computedLines
                    tally.wrong += check.computedWrong
                    tally.rightSteps += check.intermediatesRight ? 1 : 0
                    tally.answers += 1
                }
                consistency[student] = tally
            }
        }
        var sampling: [SamplingFindings] = []
        for round in [1, 2] where round == 1 || definition.dpo.variants.contains(.iterative) {
            if let found = try samplingFindings(round: round) { sampling.append(found) }
        }
        let (curve, right, wrong) = try verifier()
        return RunFindings(runID: context.runID, seed: definition.suite.seed, students: students, byStepCount: byStep,
                           sampling: sampling, dpoSkipped: definition.dpo.enabled
                               ? try DPOStage.skipReason(context, round: 1) : "dpo.enabled is false",
                           consistency: consistency, verifier: curve, meanRewardRight: right, meanRewardWrong: wrong)
    }

    /// A sampling round's statistics from its judged shards (nil when it did not run).
    func samplingFindings(round: Int) throws -> SamplingFindings? {
        var found = SamplingFindings(round: round, questions: 0, chains: 0, sampledAccuracy: 0,
                                     correctWithRightSteps: 0, pairs: 0, keptQuestions: 0)
        var correct = 0, rightSteps = 0
        for task in try SampleStage.judgeTasks(context, round: round) where try context.artifacts.exists(try task.judged) {
            for line in try context.artifacts.read(try task.judged).split(separator: UInt8(ascii: "\n")) {
                let judged = try JSONDecoder().decode(JudgedChains.self, from: Data(line))
                found.questions += 1
                found.chains += judged.chains.count
                for (verdict, right) in zip(judged.verdicts, judged.intermediatesRight) where verdict == .correct {
                    correct += 1
                    rightSteps += right ? 1 : 0
                }
                let share = Double(judged.verdicts.filter { $0 == .correct }.count) / Double(max(1, judged.chains.count))
                let window = context.definition.pairs.builder
                if share >= window.minAccuracy && share <= window.maxAccuracy { found.keptQuestions += 1 }
            }
            found.pairs += try context.lineCount(task.output)
        }
        guard found.chains > 0 else { return nil }
        found.sampledAccuracy = Double(correct) / Double(found.chains)
        found.correctWithRightSteps = correct == 0 ? 0 : Double(rightSteps) / Double(correct)
        return found
    }

    /// The verifier's curve and the mean reward of right and of wrong chains.
    func verifier() throws -> ([VerifierPoint], Double?, Double?) {
        let shards = try VerifierStage.shards(context)
        guard !shards.isEmpty else { return ([], nil, nil) }
        var rewarded: [RewardedChains] = [], items: [SuiteItem] = []
        for (_, shard) in shards where try context.artifacts.exists(shard.output) {
            for line in try context.artifacts.read(shard.output).split(separator: UInt8(ascii: "\n")) {
                rewarded.append(try JSONDecoder().decode(RewardedChains.self, from: Data(line)))
            }
            items += try shard.items.read(from: context.artifacts)
        }
        var right: [Double] = [], wrong: [Double] = []
        for entry in rewarded {
            for (verdict, reward) in zip(entry.judged.verdicts, entry.rewards) {
                if verdict == .correct { right.append(reward) } else { wrong.append(reward) }
            }
        }
        let mean = { (values: [Double]) in values.isEmpty ? nil : values.reduce(0, +) / Double(values.count) }
        return (Verifier.curve(rewarded, items: items, ns: context.definition.verifier.ns), mean(right), mean(wrong))
    }

    /// The findings as Markdown sections.
    static func markdown(_ findings: RunFindings) -> String {
        var md = "## Accuracy by number of steps\n\n| student | mode | " + "steps → accuracy (items) |\n|---|---|---|\n"
        for student in findings.students {
            for mode in ["direct", "cot"] {
                let cells = findings.byStepCount.filter { $0.key.hasPrefix("\(student)/\(mode)/") }
                    .map { (Int($0.key.split(separator: "/").last!) ?? 0, $0.value) }.sorted { $0.0 < $1.0 }
                guard !cells.isEmpty else { continue }
                md += "| \(student) | \(mode) | " + cells.map {
                    String(format: "%d: %.1f%% (%d)", $0.0, 100 * $0.1.accuracy, $0.1.count)
                }.joined(separator: ", ") + " |\n"
            }
        }
        md += "\n## Sampled chains\n\n| round | questions | chains | sampled accuracy | correct chains with right steps "
            + "| questions in the window | pairs |\n|---|---|---|---|---|---|---|\n"
        for s in findings.sampling {
            md += String(format: "| %d | %d | %d | %.3f | %.3f | %d | %d |\n", s.round, s.questions, s.chains,
                         s.sampledAccuracy, s.correctWithRightSteps, s.keptQuestions, s.pairs)
        }
        if let skipped = findings.dpoSkipped { md += "\nDPO did not train: \(skipped).\n" }
        md += "\n## Arithmetic self-consistency of CoT answers\n\n| student | lines | wrong | consistent | answers "
            + "with every step right |\n|---|---|---|---|---|\n"
        for student in findings.students {
            guard let c = findings.consistency[student] else { continue }
            md += String(format: "| %@ | %d | %d | %.3f | %d / %d |\n", student, c.lines, c.wrong, c.share,
                         c.rightSteps, c.answers)
        }
        if !findings.verifier.isEmpty {
            md += "\n## The DPO reward as a verifier\n\n| N | majority vote | best-of-N | reward-weighted vote "
                + "| any correct |\n|---|---|---|---|---|\n"
            for p in findings.verifier {
                md += String(format: "| %d | %.3f | %.3f | %.3f | %.3f |\n", p.n, p.majority, p.bestOfN,
                             p.weightedVote, p.anyCorrect)
            }
            md += String(format: "\nMean reward of right chains %.4f, of wrong chains %.4f.\n",
                         findings.meanRewardRight ?? .nan, findings.meanRewardWrong ?? .nan)
        }
        return md
    }

    /// `loss.svg` (pretraining and every SFT mix), `dpo.svg` (reward margins and accuracies), `verifier.svg`.
    func writePlots(_ findings: RunFindings, into folder: ArtifactRef) throws {
        let layout = context.layout, students = RunStudents(context: context)
        let url = { (job: String) in URL(fileURLWithPath: try self.context.artifacts.path(of: try layout.checkpoint(job))) }
        let jobs = (context.definition.student.checkpoint.isEmpty ? [("pretrain", "pretrain")] : [])
            + context.definition.sft.mixes.map { ($0.label, RunStudents.name($0)) }
        if !jobs.isEmpty {
            let loss = TrainingPlots.loss(try jobs.map { ($0.0, try url($0.1)) })
            try context.artifacts.write(Data(loss.render().utf8), to: try folder.appending("loss.svg"))
        }
        if try students.trained(RunStudents.dpo) != nil {
            try context.artifacts.write(Data(TrainingPlots.dpo(try url(RunStudents.dpo)).render().utf8),
                                        to: try folder.appending("dpo.svg"))
        }
        if !findings.verifier.isEmpty {
            let curve = findings.verifier
            let plot = SVGPlot(title: "Verifier accuracy vs N", xLabel: "N (chains)", yLabel: "accuracy", series: [
                SVGPlot.Series(name: "majority", points: curve.map { (Double($0.n), $0.majority) }),
                SVGPlot.Series(name: "best-of-N", points: curve.map { (Double($0.n), $0.bestOfN) }),
                SVGPlot.Series(name: "weighted vote", points: curve.map { (Double($0.n), $0.weightedVote) }),
                SVGPlot.Series(name: "any correct", points: curve.map { (Double($0.n), $0.anyCorrect) }),
            ])
            try context.artifacts.write(Data(plot.render().utf8), to: try folder.appending("verifier.svg"))
        }
    }
}
