import Foundation
import Model
import ReasonerData
import Tokenization

/// The paper's table at small scale, in one process: suite → fresh student → caption/drill pretraining → the four
/// SFT mixes → CoT chains sampled from ④ → judged → pairs → DPO on ④ → direct and CoT evaluation of ①②③④ and DPO
/// → the DPO verifier against majority voting → `results.md`, `results.json` and SVG plots.
///
/// Every stage leaves an artifact under the output folder and is skipped when it is there, so a rerun after a kill
/// continues where it stopped (and the trainers resume mid-stage from their checkpoints).
public struct PaperTableExperiment {
    /// The settings.
    public let preset: ExperimentPreset
    /// The output folder.
    public let output: URL
    /// Progress lines (stage starts, training steps, evaluation results).
    public let log: @Sendable (String) -> Void

    /// An experiment writing into `output`.
    public init(preset: ExperimentPreset, output: URL, log: @escaping @Sendable (String) -> Void) {
        self.preset = preset
        self.output = output
        self.log = log
    }

    /// The rows of the paper's table, in order: the four mixes, then DPO.
    public static let models: [(name: String, label: String)] = [
        ("sft-format", SFTMix.format.label), ("sft-format+direct", SFTMix.formatDirect.label),
        ("sft-format+cot", SFTMix.formatCoT.label), ("sft-format+direct+cot", SFTMix.formatDirectCoT.label),
        ("dpo", "⑥ ④ + DPO"),
    ]

    func path(_ name: String) -> String { output.appendingPathComponent(name).path }

    /// Runs every stage not yet done; returns the path of `results.md`.
    @discardableResult
    public func run() throws -> String {
        let started = Date()
        var timings: [String: Double] = (try? JSONDecoder().decode([String: Double].self,
            from: Data(contentsOf: output.appendingPathComponent("timings.json")))) ?? [:]
        func stage<T>(_ name: String, _ body: () throws -> T) throws -> T {
            log("▶ \(name)")
            let t0 = Date()
            let result = try body()
            timings[name, default: 0] += Date().timeIntervalSince(t0)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(timings).write(to: output.appendingPathComponent("timings.json"), options: .atomic)
            return result
        }
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(preset).write(to: output.appendingPathComponent("preset.json"), options: .atomic)

        let suite = path("suite")
        try stage("suite") {
            if !FileManager.default.fileExists(atPath: suite + "/manifest.json") {
                try SuiteWriter.write(config: preset.suite, to: suite)
            }
        }
        let files = try stage("rows") {
            try SuiteRows.prepare(suiteRoot: suite, output: path("rows"),
                                  teacher: OfflineTeacher(seed: preset.suite.seed, errorRate: 0))
        }
        let fresh = output.appendingPathComponent("student")
        try stage("student") {
            if !FileManager.default.fileExists(atPath: fresh.appendingPathComponent(StudentCheckpoint.configFile).path) {
                try StudentCheckpoint.createFresh(corpus: try SuiteRows.corpus(paths: files.values.sorted()),
                                                  vocabularySize: preset.vocabularySize, seed: preset.suite.seed,
                                                  config: preset.modelConfig, to: fresh)
            }
        }
        let validation = try stage("validation rows") { try validationRows(suite: suite) }
        let pretrained = try stage("pretrain") {
            try train(.pretrain, start: fresh.path, files: files, suite: suite, validation: nil,
                      optimization: preset.pretrain)
        }
        var checkpoints: [String: String] = [:]
        for mix in [SFTMix.format, .formatDirect, .formatCoT, .formatDirectCoT] {
            checkpoints["sft-" + mix.rawValue] = try stage("sft \(mix.label)") {
                try train(mix, start: pretrained, files: files, suite: suite, validation: validation,
                          optimization: preset.sft)
            }
        }
        let sftFull = checkpoints["sft-format+direct+cot"]!
        let pairsFile = try stage("sample + judge + pairs") { try makePairs(from: sftFull, suite: suite) }
        if let pairsFile {
          checkpoints["dpo"] = try stage("dpo") {
            let job = DPOJob(start: sftFull, pairs: pairsFile, imageRoot: suite, objective: preset.dpo,
                             maxWords: preset.dpoMaxWords, optimization: preset.dpoOptimization, output: path("dpo"))
            return try DPOTrainer.run(job, onStep: { step, metrics in
                if step % 5 == 0 || step == job.optimization.steps {
                    log(String(format: "  dpo step %d loss %.4f margin %.4f acc %.2f", step, metrics["loss"] ?? .nan,
                               metrics["rewards/margins"] ?? .nan, metrics["rewards/accuracies"] ?? .nan))
                }
            }).checkpoint
          }
        } else {
            log("  no preference pair: DPO and the verifier are not run (see pairs/statistics.json)")
        }
        let testItems = try evaluationItems(suite: suite, perFamily: preset.evaluationItems)
        var summaries: [String: EvaluationSummary] = [:]
        for (name, label) in Self.models where checkpoints[name] != nil {
            summaries[name] = try stage("evaluate \(label)") {
                try evaluate(checkpoint: checkpoints[name]!, items: testItems, suite: suite, name: name)
            }
        }
        let curve = try checkpoints["dpo"].map { dpo in
            try stage("verifier") { try verifier(sft: sftFull, dpo: dpo, suite: suite) }
        } ?? []
        let report = try stage("report") {
            try ExperimentReport(preset: preset, output: output, summaries: summaries, curve: curve,
                                 timings: timings).write()
        }
        log("done in \(Int(Date().timeIntervalSince(started))) s: \(report)")
        return report
    }

    /// SFT (or pretraining) of one mix into `<mix>/`; returns the final checkpoint.
    func train(_ mix: SFTMix, start: String, files: [String: String], suite: String, validation: String?,
               optimization: OptimizationConfig) throws -> String {
        let name = mix == .pretrain ? "pretrain" : "sft-" + mix.rawValue
        let job = SFTJob(start: start, sources: try mix.sources(files: files, repeats: ["format": preset.formatRepeats]),
                         imageRoot: suite, validation: validation, validationLimit: 64, optimization: optimization,
                         output: path(name))
        let summary = try SFTTrainer.run(job, onStep: { step, metrics in
            if step % 10 == 0 || step == optimization.steps {
                log(String(format: "  %@ step %d/%d loss %.4f", name, step, optimization.steps, metrics["loss"] ?? .nan))
            }
        })
        if !summary.skippedRows.isEmpty {
            log("  \(name): \(summary.skippedRows.count) rows skipped, first: \(summary.skippedRows[0])")
        }
        return summary.checkpoint
    }

    /// Validation rows (direct and CoT of the validation split) for the SFT loss.
    func validationRows(suite: String) throws -> String {
        let file = path("rows/validation.jsonl")
        if !FileManager.default.fileExists(atPath: file) {
            let items = try RowFiles.read(SuiteItem.self, path: suite + "/validation.jsonl").rows
            let teacher = OfflineTeacher(seed: preset.suite.seed, errorRate: 0)
            try RowFiles.writeJSONL(items.flatMap { [TrainingRows.direct($0),
                                                     TrainingRows.cot($0, response: teacher.rationale(for: $0).text)] },
                                    path: file)
        }
        return file
    }

    /// The first `perFamily` test items of each family.
    func evaluationItems(suite: String, perFamily: Int) throws -> [SuiteItem] {
        SuiteRows.firstPerFamily(try RowFiles.read(SuiteItem.self, path: suite + "/test.jsonl").rows, perFamily)
    }

    /// Chains from ④ for the first training items, judged, then pairs; resumable per item. Nil when no question
    /// gave a pair (every one too easy or too hard).
    func makePairs(from checkpoint: String, suite: String) throws -> String? {
        let pairsFile = path("pairs/pairs.jsonl")
        if let data = FileManager.default.contents(atPath: pairsFile) { return data.isEmpty ? nil : pairsFile }
        let all = try RowFiles.read(SuiteItem.self, path: suite + "/train.jsonl").rows
        let items = SuiteRows.firstPerFamily(all, max(1, preset.samplingItems / Family.allCases.count))
        let judged = try sampleChains(checkpoint: checkpoint, items: items, suite: suite, config: preset.sampling,
                                      file: output.appendingPathComponent("pairs/chains.jsonl"))
        let (rows, statistics) = ChainSampler.pairs(judged, items: items, config: preset.pairs,
                                                    requireRightIntermediates: preset.requireRightIntermediates)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(statistics).write(to: output.appendingPathComponent("pairs/statistics.json"), options: .atomic)
        log("  pairs: \(rows.count) from \(statistics.keptQuestions)/\(statistics.questions) questions "
            + "(too hard \(statistics.tooHard), too easy \(statistics.tooEasy), chosen filtered \(statistics.chosenFiltered))")
        try RowFiles.writeJSONL(rows, path: pairsFile)
        return rows.isEmpty ? nil : pairsFile
    }

    /// Judged chains of `items`, appended to `file` item by item and reused on a rerun.
    func sampleChains(checkpoint: String, items: [SuiteItem], suite: String, config: ChainSamplingConfig,
                      file: URL) throws -> [JudgedChains] {
        let loaded = try StudentCheckpoint.load(from: URL(fileURLWithPath: checkpoint))
        let sampler = ChainSampler(model: loaded.model, template: try ChatTemplate(tokenizer: loaded.tokenizer),
                                   imageRoot: suite)
        var done = Dictionary(try JSONLines.read(JudgedChains.self, from: file).map { ($0.id, $0) },
                              uniquingKeysWith: { first, _ in first })
        for (index, item) in items.enumerated() where done[item.id] == nil {
            let (chains, problems) = try sampler.sample([item], config: config)
            for problem in problems { log("  skipped: \(problem)") }
            try JSONLines.append(chains, to: file)
            for entry in chains { done[entry.id] = entry }
            if (index + 1) % 10 == 0 { log("  sampled \(index + 1)/\(items.count) items") }
        }
        return items.compactMap { done[$0.id] }
    }

    /// Greedy direct and CoT evaluation of one checkpoint.
    func evaluate(checkpoint: String, items: [SuiteItem], suite: String, name: String) throws -> EvaluationSummary {
        let loaded = try StudentCheckpoint.load(from: URL(fileURLWithPath: checkpoint))
        let evaluator = Evaluator(model: loaded.model, template: try ChatTemplate(tokenizer: loaded.tokenizer),
                                  imageRoot: suite)
        let folder = output.appendingPathComponent("eval/\(name)")
        var seen = 0
        let summary = try evaluator.evaluate(items, config: preset.evaluation,
                                             resultsFile: folder.appendingPathComponent("results.jsonl")) { _ in
            seen += 1
            if seen % 50 == 0 { log("  \(name): \(seen) new results") }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(summary).write(to: folder.appendingPathComponent("summary.json"), options: .atomic)
        return summary
    }

    /// Chains from ④ on test items, rewarded by β·log(π_DPO/π_SFT), as a curve over N.
    func verifier(sft: String, dpo: String, suite: String) throws -> [VerifierPoint] {
        let curveFile = output.appendingPathComponent("verifier/curve.json")
        if let data = try? Data(contentsOf: curveFile) { return try JSONDecoder().decode([VerifierPoint].self, from: data) }
        let items = try evaluationItems(suite: suite, perFamily: preset.verifierItems)
        var config = preset.sampling
        config.chains = preset.verifierChains
        config.seed = preset.sampling.seed &+ 1
        let judged = try sampleChains(checkpoint: sft, items: items, suite: suite, config: config,
                                      file: output.appendingPathComponent("verifier/chains.jsonl"))
        func scores(_ checkpoint: String) throws -> [Float] {
            let loaded = try StudentCheckpoint.load(from: URL(fileURLWithPath: checkpoint))
            let rows = RowExamples(template: try ChatTemplate(tokenizer: loaded.tokenizer), config: loaded.model.config)
            return try loaded.model.responseLogProbs(try Verifier.examples(judged, items: items, rows: rows,
                                                                           imageRoot: suite))
        }
        let reference = try scores(sft)
        let policy = try scores(dpo)
        let rewarded = Verifier.rewards(judged, policy: policy, reference: reference, beta: preset.dpo.beta)
        var ns: [Int] = []
        var n = 1
        while n <= preset.verifierChains { ns.append(n); n *= 2 }
        let curve = Verifier.curve(rewarded, items: items, ns: ns)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(curve).write(to: curveFile, options: .atomic)
        return curve
    }
}
