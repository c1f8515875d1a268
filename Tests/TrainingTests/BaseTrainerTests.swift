import Foundation
import Model
import ReasonerData
import TestSupport
import Testing
import Tokenization
@testable import Training

/// The base model's trainer: data, fresh student, probes at checkpoints, gates that stop it, shipping, resumption.
@Suite struct BaseTrainerTests {
    /// A recipe the tiny student runs through in seconds.
    static func recipe(gates: BaseGates, steps: Int = 4) -> BaseRecipe {
        var recipe = BaseRecipe.standard
        recipe.name = "test-base"
        recipe.scale = .tiny
        recipe.scenesPerFamily = 12
        recipe.vocabularySize = 400
        recipe.optimization = OptimizationConfig(steps: steps, batchSize: 4, learningRate: 2e-3, checkpointEvery: 2)
        recipe.quickProbeItems = 2
        recipe.finalProbeItems = 3
        recipe.gates = gates
        return recipe
    }

    static let nothing = BaseGates(slot: 0, exactCaption: 0, drill: 0, imageLossRatio: 0)
    static let impossible = BaseGates(slot: 1.01, exactCaption: 1.01, drill: 1.01, imageLossRatio: 1e9)

    func folder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("base-\(UUID().uuidString)")
    }

    @Test func probesThatPassStopTrainingAtTheFirstCheckpointAndTheModelShips() throws {
        let work = folder(), shipped = folder()
        defer { try? FileManager.default.removeItem(at: work); try? FileManager.default.removeItem(at: shipped) }
        let recipe = Self.recipe(gates: Self.nothing)
        let outcome = try BaseTrainer(recipe: recipe, folder: work, log: { _ in }).run()
        #expect(outcome.passed && outcome.probe.step == 2 && outcome.probe.final)
        #expect(outcome.probe.items == 3, "the final probe's size")
        let records = try JSONLines.read(ProbeRecord.self, from: work.appendingPathComponent("probes.jsonl"))
        #expect(records.map(\.final) == [false, true], "a quick probe, then the final one")
        let summary = try JSONDecoder().decode(SFTSummary.self, from: Data(contentsOf:
            work.appendingPathComponent("train/summary.json")))
        #expect(summary.steps == 2, "finished at the checkpoint whose probes passed")
        // Every family's captions and every drill kind were probed.
        #expect(Set(outcome.probe.captions.families.map(\.family)) == Set(Family.allCases))
        #expect(Set(outcome.probe.drills.lines.map(\.name)) == Set(Family.allCases.map { "lookup \($0.rawValue)" }
                                                                   + ["arithmetic", "comparison", "counting"]))

        let hash = try BaseShipment.ship(outcome, recipe: recipe, provenance: .init(
            command: "reasoner base train", commit: "abc1234", machine: "a test CPU", wallSeconds: 61,
            positionsPerSecond: 1234), to: shipped)
        let files = try FileManager.default.contentsOfDirectory(atPath: shipped.path).sorted()
        #expect(files == ["README.md", "config.json", "model.safetensors", "probe.json", "probe.md", "recipe.json",
                          "tokenizer.json"], "weights without optimizer state, recipe, probe, card")
        #expect(try StudentCheckpoint.contentHash(of: shipped) == hash)
        let card = try String(contentsOf: shipped.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(card.contains(hash) && card.contains("rotary positions") && card.contains("every gate cleared"))
        #expect(card.contains("reasoner base train") && card.contains("abc1234") && card.contains("1.0 min"))
        // The shipped folder probes again from its own recipe.
        let again = try BaseProbe.run(model: shipped, recipe: recipe, items: 2, work: work)
        #expect(again.final && again.step == 2)
    }

    @Test func aBudgetThatEndsBeforeTheGatesIsAFailureWithTheMisses() throws {
        let work = folder()
        defer { try? FileManager.default.removeItem(at: work) }
        let outcome = try BaseTrainer(recipe: Self.recipe(gates: Self.impossible), folder: work, log: { _ in }).run()
        // The last checkpoint is probed on the final probe's items all the same: what is reported is measured as a
        // passing model's would be.
        #expect(!outcome.passed && outcome.probe.step == 4 && outcome.probe.final)
        #expect(outcome.probe.items == Self.recipe(gates: Self.impossible).finalProbeItems)
        #expect(outcome.probe.misses.contains { $0.hasPrefix("chart colour") })
        #expect(outcome.probe.misses.contains { $0.hasPrefix("drill arithmetic") })
        // A rerun of a finished run trains nothing more and reports the same probe.
        let again = try BaseTrainer(recipe: Self.recipe(gates: Self.impossible), folder: work, log: { _ in }).run()
        #expect(again.probe == outcome.probe && !again.passed)
    }

    @Test func reCreatingTheBaseGivesTheSameWeights() throws {
        let a = folder(), b = folder()
        defer { try? FileManager.default.removeItem(at: a); try? FileManager.default.removeItem(at: b) }
        let recipe = Self.recipe(gates: Self.impossible, steps: 2)
        let first = try BaseTrainer(recipe: recipe, folder: a, log: { _ in }).run()
        let second = try BaseTrainer(recipe: recipe, folder: b, log: { _ in }).run()
        #expect(try StudentCheckpoint.contentHash(of: first.checkpoint)
                == StudentCheckpoint.contentHash(of: second.checkpoint))
    }

    @Test func gatesNameEveryMiss() {
        let family = CaptionProbeFamily(family: .chart, scenes: 10, exact: 0.7, fieldCount: 1,
                                        slots: [CaptionSlotAccuracy(name: "colour", accuracy: 1),
                                                CaptionSlotAccuracy(name: "height", accuracy: 0.9)],
                                        lossOwnImage: 0.1, lossOtherImage: 0.25)
        let captions = CaptionProbeReport(families: [family], samples: [])
        let drills = DrillProbeReport(lines: [DrillProbeLine(kind: .lookup, family: .chart, drills: 10, exact: 0.96),
                                              DrillProbeLine(kind: .arithmetic, family: nil, drills: 10, exact: 0.5)],
                                      samples: [])
        #expect(BaseGates.standard.misses(captions: captions, drills: drills) == [
            "chart height 0.900 < 0.95", "chart exact captions 0.700 < 0.80", "chart loss other/own image 2.50 < 3.0",
            "drill arithmetic 0.500 < 0.95",
        ])
        #expect(BaseGates.standard.misses(captions: CaptionProbeReport(families: [], samples: []),
                                          drills: DrillProbeReport(lines: [], samples: [])).isEmpty)
    }
}
