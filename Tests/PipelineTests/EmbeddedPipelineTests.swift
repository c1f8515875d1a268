import Artifacts
import Foundation
import Logging
import Synchronization
import Testing
import Training
@testable import Pipeline

/// The whole recipe in one process at toy scale — distill, pretrain a fresh tiny student, two SFT mixes, sample and
/// judge, DPO, evaluate, report — through the coordinator and every role, as `reasoner demo` runs it.
@Test func anEmbeddedRunTrainsEveryStageToTheReport() async throws {
    var definition = PipelinePreset.quick.definition
    (definition.suite.train, definition.suite.validation, definition.suite.test) = (6, 2, 3)
    (definition.suite.pretrainPerFamily, definition.suite.formatPerFamily) = (4, 2)
    definition.distill.batchSize = 10
    definition.student.checkpoint = ""  // from scratch: a tiny student pretrained in the run
    definition.pretrain = PretrainSettings(scale: .tiny, vocabularySize: 400, contextLength: 512,
                                           training: OptimizationConfig(steps: 6, batchSize: 4, learningRate: 2e-3,
                                                                        checkpointEvery: 3))
    definition.sft = SFTSettings(mixes: [.formatDirect, .formatDirectCoT], samplingMix: .formatDirectCoT,
                                 validationLimit: 4,
                                 training: OptimizationConfig(steps: 4, batchSize: 4, learningRate: 1e-3,
                                                              validateEvery: 2, checkpointEvery: 2))
    (definition.sample.chainsPerItem, definition.sample.maxNewTokens, definition.sample.itemsPerFamily) = (2, 8, 2)
    definition.dpo.training = OptimizationConfig(steps: 2, batchSize: 2, learningRate: 1e-5)
    (definition.dpo.minSampledAccuracy, definition.dpo.epochs) = (0, 0)
    (definition.evaluate.itemsPerFamily, definition.evaluate.maxNewTokens) = (2, 8)
    let artifacts = try ArtifactStore(root: FileManager.default.temporaryDirectory
        .appendingPathComponent("embedded-\(UUID().uuidString)").path)
    defer { try? FileManager.default.removeItem(atPath: artifacts.root) }
    let fleet = EmbeddedFleet(artifacts: artifacts, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
    let events = Mutex<[[String: String]]>([])
    try await fleet.run(definition, runID: "e1") { event in events.withLock { $0.append(event.fields) } }

    let seen = events.withLock { $0 }
    let stages = seen.filter { $0["kind"] == "stage.started" }.compactMap { $0["stage"] }
    #expect(stages == ["prepare", "distill", "pretrain", "sft", "sample", "dpo", "evaluate", "report"],
            "every stage once, in order")
    let trained = seen.filter { $0["kind"] == "train.done" }.compactMap { $0["job"] }
    #expect(Set(trained).isSuperset(of: ["pretrain", "sft-format+direct", "sft-format+direct+cot"]), "\(trained)")
    #expect(seen.contains { $0["kind"] == "train.step" && $0["job"] == "pretrain" }, "training progress is streamed")
    #expect(seen.last?["kind"] == "run.done")

    let layout = RunLayout(runID: "e1")
    for job in ["pretrain", "sft-format+direct", "sft-format+direct+cot"] {
        let folder = TrainingRunFolder(URL(fileURLWithPath: try artifacts.path(of: try layout.checkpoint(job))))
        #expect(folder.finalCheckpoint() != nil, "\(job) finished with a checkpoint")
    }
    let report = try String(contentsOfFile: try artifacts.path(of: try layout.evaluations.appending("results.md")),
                            encoding: .utf8)
    #expect(report.contains("| sft-format+direct |") && report.contains("| sft-format+direct+cot |"), "\(report)")
    // DPO trains exactly when the judge found pairs (a toy student rarely answers right; then it is skipped), and
    // the findings say why it did not.
    let findings = try JSONDecoder().decode(RunFindings.self, from: try artifacts.read(
        try layout.evaluations.appending("findings.json")))
    #expect(trained.contains("dpo") == (findings.dpoSkipped == nil), "\(findings.dpoSkipped ?? "trained")")
    #expect(report.contains("| dpo |") == trained.contains("dpo"))
    #expect(findings.sampling.first?.chains == 2 * 2 * 5, "two chains of two items per family were judged")
    #expect(try artifacts.exists(try layout.evaluations.appending("items.jsonl")))
}
