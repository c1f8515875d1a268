import Artifacts
import Foundation
import ReasonerData
import Testing
import Training
@testable import Pipeline

/// The stages' plans from what earlier stages left in the volume: the DPO gate, the extra rows, the verifier,
/// epochs, and the planner's stage list.
@Suite struct StagePlanTests {
    /// A run with a prepared suite, a finished ④ (a run folder with a summary and a checkpoint) and judged chains
    /// with the given verdicts per question.
    func run(verdicts: [[Verdict]], variants: [DPOVariant] = [.rpo, .fullLength, .rft, .iterative],
             gate: Double = 0.2) throws -> (context: StageContext, root: String) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("plans-\(UUID().uuidString)").path
        let artifacts = try ArtifactStore(root: root)
        var definition = PipelinePreset.quick.definition
        (definition.suite.families, definition.suite.train, definition.suite.test) = ([.chart], 4, 4)
        (definition.sample.itemsPerFamily, definition.sample.itemsPerShard) = (verdicts.count, 10)
        definition.dpo.variants = variants
        definition.dpo.minSampledAccuracy = gate
        definition.verifier.enabled = true
        definition.verifier.sampling.itemsPerFamily = 2
        let context = StageContext(runID: "p1", definition: definition, artifacts: artifacts)
        try artifacts.write(try JSONEncoder().encode(definition), to: try context.layout.definition)
        try RunTaskHandler(artifacts: artifacts).prepare(context)
        // ④'s finished run folder.
        let four = try context.layout.checkpoint(RunStudents.name(.formatDirectCoT))
        try artifacts.write(Data("1".utf8), to: try four.appending("checkpoints/step-000001/config.json"))
        try artifacts.write(Data("step-000001".utf8), to: try four.appending("checkpoints/latest"))
        try artifacts.write(Data("{}".utf8), to: try four.appending("summary.json"))
        let items = try RowFiles.read(SuiteItem.self, path: try artifacts.path(of: try SampleStage.items(context))).rows
        let task = try SampleStage.judgeTasks(context, round: 1)[0]
        let judged = zip(items, verdicts).map { item, verdicts in
            JudgedChains(id: item.id, chains: verdicts.indices.map { "chain \($0)" }, verdicts: verdicts,
                         answers: verdicts.map { _ in nil }, intermediatesRight: verdicts.map { $0 == .correct })
        }
        try artifacts.write(try RowFiles.jsonLines(judged), to: try task.judged)
        let pairs = verdicts.contains { $0.contains(.correct) && $0.contains(.wrong) } ? 3 : 0
        try artifacts.write(Data(String(repeating: "{}\n", count: pairs).utf8), to: task.output)
        try artifacts.write(Data("{}\n{}\n".utf8), to: try task.correct)
        return (context, root)
    }

    @Test func dpoTrainsThePapersRowAndTheExtraRowsWhenTheSampledStudentIsGoodEnough() throws {
        let (context, root) = try run(verdicts: [[.correct, .wrong, .wrong, .correct], [.wrong, .correct, .wrong, .wrong]])
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(try DPOStage.skipReason(context, round: 1) == nil)
        let plan = try DPOStage(round: 1).plan(context)
        #expect(plan.messages.map(\.envelope.id) == ["p1.dpo", "p1.dpo-rpo", "p1.dpo-full", "p1.rft"])
        let jobs = try plan.messages.prefix(3).map { try $0.envelope.decode(DPOTrainJob.self) }
        #expect(jobs.map(\.maxWords) == [90, 90, nil] && jobs.map(\.objective.nllWeight) == [0, 1, 0])
        #expect(jobs.allSatisfy { $0.optimization.steps == 1 }, "one epoch over 3 pairs in batches of 8")
        let rft = try plan.messages[3].envelope.decode(SFTTrainJob.self)
        #expect(rft.sources.map(\.name) == ["correct"] && rft.start?.path.hasSuffix("checkpoints/step-000001") == true)
        let planner = PipelinePlanner(definition: context.definition, artifacts: context.artifacts)
        #expect(planner.stages == ["prepare", "distill", "sft", "sample", "dpo", "resample", "redpo", "verifier",
                                   "evaluate", "report"])
    }

    @Test func dpoIsGatedOnTheSampledAccuracyAndOnPairs() throws {
        let (low, a) = try run(verdicts: [[.wrong, .wrong, .wrong, .correct], [.wrong, .wrong, .wrong, .wrong]], gate: 0.2)
        defer { try? FileManager.default.removeItem(atPath: a) }
        #expect(try DPOStage.skipReason(low, round: 1)?.hasPrefix("sampled accuracy 0.1250 is below") == true)
        #expect(try DPOStage(round: 1).plan(low).messages.isEmpty)
        #expect(try VerifierStage().plan(low).messages.isEmpty, "no verifier without DPO")
        let (none, b) = try run(verdicts: [[.correct, .correct], [.correct, .correct]], gate: 0)
        defer { try? FileManager.default.removeItem(atPath: b) }
        #expect(try DPOStage.skipReason(none, round: 1) == "no sampled question gave a pair")
    }

    @Test func sftTrainsEachMixForItsOwnEpochs() throws {
        var settings = PipelinePreset.quick.definition.sft
        settings.epochs = 1
        settings.training.batchSize = 16
        #expect(settings.optimization(examples: 100).steps == 7)
        #expect(settings.optimization(examples: 200).steps == 13, "twice the data, twice the steps")
        settings.epochs = 0
        #expect(settings.optimization(examples: 200).steps == settings.training.steps)
    }
}
