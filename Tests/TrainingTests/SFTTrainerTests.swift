import Foundation
import Model
import ReasonerData
import Testing
@testable import Training

/// A tiny student and a few rows about solid-colour images, in a fresh folder.
struct TinySetup {
    let root: URL
    let base: URL
    let rows: RowSource

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("sft-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("images"),
                                                withIntermediateDirectories: true)
        let colours: [(String, (UInt8, UInt8, UInt8))] = [("red", (220, 20, 20)), ("green", (20, 200, 40)),
                                                          ("blue", (30, 40, 220))]
        var rows: [ConversationRow] = []
        for (name, rgb) in colours {
            try ImageFileFixture.write(rgb, to: root.appendingPathComponent("images/\(name).png").path)
            rows.append(ConversationRow(id: name, image: "images/\(name).png", prompt: "What colour is it?",
                                        response: name))
        }
        rows.append(ConversationRow(id: "sum", image: nil, prompt: "2 + 3 =", response: "2 + 3 = 5."))
        rows.append(ConversationRow(id: "broken", image: "images/missing.png", prompt: "?", response: "x"))
        try RowFiles.writeJSONL(rows, path: root.appendingPathComponent("rows.jsonl").path)
        self.rows = RowSource(path: root.appendingPathComponent("rows.jsonl").path, imageRoot: root.path, repeats: 2)
        base = root.appendingPathComponent("base")
        try StudentCheckpoint.createFresh(
            corpus: ["What colour is it? red green blue", "2 + 3 = 5."], vocabularySize: 300, seed: 1,
            config: { VLMConfig.tiny(vocabSize: $0) }, to: base)
    }

    func remove() { try? FileManager.default.removeItem(at: root) }
}

@Suite struct SFTTrainerTests {
    let config = SFTConfig(steps: 12, batchSize: 4, learningRate: 3e-3, minLearningRate: 3e-4, warmupSteps: 2,
                           checkpointEvery: 5, seed: 7)

    @Test func lossFallsAndUnusableRowsAreReported() throws {
        let setup = try TinySetup()
        defer { setup.remove() }
        let output = setup.root.appendingPathComponent("sft")
        var losses: [Float] = []
        let summary = try SFTTrainer.run(config: config, sources: [setup.rows], base: setup.base, output: output) {
            losses.append($0.loss)
        }
        #expect(summary.examples == 8, "4 usable rows, twice each")
        #expect(summary.skipped.count == 1 && summary.skipped[0].contains("missing.png"))
        #expect(losses.count == 12 && losses.suffix(3).reduce(0, +) < losses.prefix(3).reduce(0, +))
        #expect(try StudentCheckpoint.load(from: output).trainerState?.step == 12)
    }

    @Test func aKilledRunResumesToTheSameWeightsAndLossCurve() async throws {
        let setup = try TinySetup()
        defer { setup.remove() }
        let unbroken = setup.root.appendingPathComponent("unbroken")
        _ = try SFTTrainer.run(config: config, sources: [setup.rows], base: setup.base, output: unbroken)

        // The same run stopped after step 11, past its checkpoint at step 10 (as if killed), then called again.
        let broken = setup.root.appendingPathComponent("broken")
        let (config, rows, base) = (config, setup.rows, setup.base)
        let killed = Task {
            try SFTTrainer.run(config: config, sources: [rows], base: base, output: broken) { metrics in
                if metrics.step == 10 { withUnsafeCurrentTask { $0?.cancel() } }
            }
        }
        let outcome = await killed.result
        #expect(throws: CancellationError.self) { try outcome.get() }
        var state = try StudentCheckpoint.load(from: broken).trainerState
        #expect(state?.step == 10)
        let resumed = try SFTTrainer.run(config: config, sources: [setup.rows], base: setup.base, output: broken)
        #expect(resumed.stepsThisCall == 2)
        state = try StudentCheckpoint.load(from: broken).trainerState
        #expect(state?.step == 12)
        #expect(try StudentCheckpoint.contentHash(of: broken) == StudentCheckpoint.contentHash(of: unbroken))
        #expect(try Data(contentsOf: broken.appendingPathComponent("metrics.jsonl"))
                == Data(contentsOf: unbroken.appendingPathComponent("metrics.jsonl")))
    }
}
