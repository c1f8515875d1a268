import Foundation
import Model
import ReasonerData
import Testing
@testable import Training

/// DPO on a fixed toy preference set (right rationales over wrong ones): it learns the preference, and a killed run
/// resumes to the same bits.
@Suite struct DPOTrainerTests {
    /// Pairs of the training items: the teacher's right rationale against a wrong one (the same teacher with every
    /// rationale wrong).
    func pairsFile(_ world: TrainingWorld) throws -> String {
        let right = OfflineTeacher(seed: 1, errorRate: 0), wrong = OfflineTeacher(seed: 1, errorRate: 1)
        let rows = try world.items("train").map { item in
            PreferenceRow(id: item.id + "-pair0", image: item.image,
                          question: "<image>\n" + StudentPrompt.text(for: item, mode: .cot),
                          chosen: right.rationale(for: item).text, rejected: wrong.rationale(for: item).text)
        }
        let path = world.folder("pairs.jsonl")
        try RowFiles.writeJSONL(rows, path: path)
        return path
    }

    func job(_ world: TrainingWorld, output: String, steps: Int, objective: DPOObjective = DPOObjective(beta: 0.5))
        throws -> DPOJob {
        DPOJob(start: world.start.path, pairs: [try pairsFile(world)], imageRoot: world.suite, objective: objective,
               maxWords: 40,
               optimization: OptimizationConfig(steps: steps, batchSize: 4, learningRate: 2e-3, warmupSteps: 1,
                                                seed: 3, checkpointEvery: 2),
               output: output)
    }

    @Test func lossFallsAndRewardAccuracyRisesOnAToyPreferenceSet() throws {
        let world = try TrainingWorld()
        defer { world.remove() }
        let dpo = try job(world, output: world.folder("dpo"), steps: 24)
        try DPOTrainer.run(dpo)
        let metrics = MetricsLog.read(TrainingRunFolder(URL(fileURLWithPath: dpo.output)).metricsFile)
        func mean(_ name: String, _ slice: ArraySlice<[String: Double]>) -> Double {
            slice.compactMap { $0[name] }.reduce(0, +) / Double(slice.count)
        }
        let early = metrics.prefix(3), late = metrics.suffix(3)
        #expect(abs(metrics[0]["loss"]! - log(2)) < 0.05, "the first step starts at the reference: loss ≈ log 2")
        #expect(mean("loss", late) < mean("loss", early) - 0.1, "\(metrics.map { $0["loss"]! })")
        #expect(mean("rewards/accuracies", late) > mean("rewards/accuracies", early))
        #expect(mean("rewards/accuracies", late) >= 0.9)
        #expect(mean("rewards/margins", late) > 0)
    }

    @Test func interruptedAndResumedRunEqualsAnUnbrokenOne() throws {
        let world = try TrainingWorld()
        defer { world.remove() }
        let unbroken = try DPOTrainer.run(try job(world, output: world.folder("unbroken"), steps: 5))
        let broken = try job(world, output: world.folder("broken"), steps: 5)
        try DPOTrainer.run(broken, stopAfterStep: 3)
        let resumed = try DPOTrainer.run(broken)
        let a = TrainingRunFolder(URL(fileURLWithPath: world.folder("unbroken")))
        let b = TrainingRunFolder(URL(fileURLWithPath: broken.output))
        #expect(try Data(contentsOf: a.metricsFile) == Data(contentsOf: b.metricsFile))
        #expect(MetricsLog.read(a.metricsFile).count == 5)
        #expect(try StudentCheckpoint.contentHash(of: URL(fileURLWithPath: unbroken.checkpoint))
                == StudentCheckpoint.contentHash(of: URL(fileURLWithPath: resumed.checkpoint)))
        #expect(Set(unbroken.finalMetrics.keys).isSuperset(of: ["loss", "rewards/chosen", "rewards/rejected",
            "rewards/accuracies", "rewards/margins", "logps/chosen", "logps/rejected"]))
    }

    @Test func everyVariantTrains() throws {
        let world = try TrainingWorld()
        defer { world.remove() }
        for objective in [DPOObjective(kind: .ipo, beta: 0.5), DPOObjective(kind: .hinge, beta: 0.5),
                          DPOObjective(kind: .sigmoid, beta: 0.5, nllWeight: 1)] {
            let summary = try DPOTrainer.run(try job(world, output: world.folder("\(objective.kind)"), steps: 2,
                                                     objective: objective))
            #expect(summary.finalMetrics["loss"]?.isFinite == true)
            #expect((summary.finalMetrics["nll"] != nil) == (objective.nllWeight != 0))
        }
    }
}
