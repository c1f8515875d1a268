import Foundation
import ReasonerData
import Synchronization
import Testing
@testable import Training

/// The whole experiment on a tiny student and suite, a few steps per stage: every stage's artifact, the table,
/// the plots; a rerun skips what is done.
@Suite struct PaperTableExperimentTests {
    static func tinyPreset() -> ExperimentPreset {
        var preset = ExperimentPreset.quick(seed: 4)
        preset.name = "tiny"
        preset.modelScale = .tiny
        preset.vocabularySize = 300
        preset.contextLength = 300
        preset.suite.train = 4
        preset.suite.validation = 2
        preset.suite.test = 2
        preset.suite.formatPerFamily = 2
        preset.suite.pretrainPerFamily = 4
        let steps = OptimizationConfig(steps: 2, batchSize: 4, learningRate: 1e-3, seed: 4, checkpointEvery: 1)
        preset.pretrain = steps
        preset.sft = steps
        preset.samplingItems = 5
        preset.sampling = ChainSamplingConfig(chains: 2, maxNewTokens: 6, seed: 4)
        preset.dpoOptimization = steps
        preset.evaluationItems = 1
        preset.evaluation = EvaluationConfig(maxNewTokens: 6, itemsPerBatch: 5, resamples: 50, seed: 4)
        preset.verifierItems = 1
        preset.verifierChains = 2
        return preset
    }

    @Test func aTinyRunWritesTheTableAndARerunSkipsFinishedStages() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("paper-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let lines = LineCollector()
        let experiment = PaperTableExperiment(preset: Self.tinyPreset(), output: output, log: { lines.add($0) })
        let report = try experiment.run()
        let table = try String(contentsOfFile: report, encoding: .utf8)
        for label in ["① format", "② +direct", "③ +CoT", "④ +direct+CoT"] { #expect(table.contains("| \(label) |")) }
        for family in Family.allCases { #expect(table.contains(family.rawValue)) }
        for file in ["loss.svg", "dpo.svg", "verifier.svg", "results.json", "preset.json", "pairs/statistics.json",
                     "pretrain/summary.json", "sft-format+direct+cot/summary.json",
                     "eval/sft-format/results.jsonl"] {
            #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent(file).path), "\(file)")
        }
        let evaluated = try String(contentsOf: output.appendingPathComponent("eval/sft-format/results.jsonl"),
                                   encoding: .utf8).split(separator: "\n")
        #expect(evaluated.count == Family.allCases.count * 2, "one item per family, direct and CoT")
        let before = lines.count
        try experiment.run()
        #expect(!lines.lines[before...].contains { $0.contains(" step ") }, "no training step is repeated")
    }
}

/// Collects log lines from the experiment (which may call from any thread).
final class LineCollector: Sendable {
    private let stored = Mutex<[String]>([])
    func add(_ line: String) { stored.withLock { $0.append(line) } }
    var lines: [String] { stored.withLock { $0 } }
    var count: Int { lines.count }
}
