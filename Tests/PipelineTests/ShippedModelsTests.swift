import Artifacts
import Foundation
import Model
import Testing
import Tokenization
@testable import Pipeline
import Training

/// Shipped models reach the artifacts volume once, checked against their pin.
@Suite struct ShippedModelsTests {
    /// A folder `models/test-base/` holding a tiny student, and its hash.
    func shipped() throws -> (models: URL, hash: String) {
        let models = FileManager.default.temporaryDirectory.appendingPathComponent("models-\(UUID().uuidString)")
        let tokenizer = try Tokenizer.train(corpus: ["Bars: red 7, blue 3."], vocabularySize: 300, minPairCount: 1)
        let model = try StudentVLM(config: .tiny(vocabSize: tokenizer.vocabularySize), seed: 1)
        let hash = try StudentCheckpoint.save(model, tokenizer: tokenizer, to: models.appendingPathComponent("test-base"))
        try Data("# test-base\n".utf8).write(to: models.appendingPathComponent("test-base/README.md"))
        return (models, hash)
    }

    @Test func aShippedModelIsCopiedIntoTheVolumeOnceAndCheckedAgainstItsPin() throws {
        let (models, hash) = try shipped()
        let store = try ArtifactStore(root: FileManager.default.temporaryDirectory
            .appendingPathComponent("artifacts-\(UUID().uuidString)").path)
        defer { try? FileManager.default.removeItem(at: models); try? FileManager.default.removeItem(atPath: store.root) }
        let environment = ["REASONER_MODELS": models.path]
        try ShippedModels.install(ref: "models/test-base", into: store, environment: environment,
                                  pins: ["test-base": hash])
        let copied = URL(fileURLWithPath: try store.path(of: ArtifactRef("models/test-base")))
        #expect(try StudentCheckpoint.contentHash(of: copied) == hash)
        #expect(FileManager.default.fileExists(atPath: copied.appendingPathComponent("README.md").path))
        // Installed once: a second call finds it and only checks it.
        try FileManager.default.removeItem(at: models)
        try ShippedModels.install(ref: "models/test-base", into: store, environment: environment,
                                  pins: ["test-base": hash])
        // A pin the weights do not match is refused, with what to do.
        #expect(throws: ShippedModelError.hashMismatch(name: "test-base", pinned: "beef", actual: hash)) {
            try ShippedModels.install(ref: "models/test-base", into: store, environment: environment,
                                      pins: ["test-base": "beef"])
        }
        // Refs that are not a shipped model's are left alone.
        try ShippedModels.install(ref: "runs/r1/checkpoints/sft", into: store, environment: environment,
                                  pins: ["test-base": hash])
        try ShippedModels.install(ref: "", into: store, environment: environment, pins: ["test-base": hash])
    }

    @Test func aMissingShippedModelNamesTheFoldersItSearched() throws {
        let store = try ArtifactStore(root: FileManager.default.temporaryDirectory
            .appendingPathComponent("artifacts-\(UUID().uuidString)").path)
        defer { try? FileManager.default.removeItem(atPath: store.root) }
        do {
            try ShippedModels.install(ref: "models/nowhere", into: store, environment: ["REASONER_MODELS": "/nonexistent"],
                                      pins: ["nowhere": "00"])
            Issue.record("expected notFound")
        } catch let error as ShippedModelError {
            guard case .notFound(let name, let searched) = error else { Issue.record("\(error)"); return }
            #expect(name == "nowhere" && searched.first == "/nonexistent")
            #expect(error.description.contains("REASONER_MODELS"))
        }
    }

    @Test func runsStartFromTheShippedBaseUnlessTheyAskForAFreshStudent() throws {
        #expect(PipelinePreset.quick.definition.student.checkpoint == "models/reasoner-base-v1")
        #expect(ShippedModels.pinnedHashes[ShippedModels.defaultBase]?.count == 64, "the base is pinned")
        let store = try ArtifactStore(root: FileManager.default.temporaryDirectory
            .appendingPathComponent("artifacts-\(UUID().uuidString)").path)
        defer { try? FileManager.default.removeItem(atPath: store.root) }
        var definition = PipelinePreset.quick.definition
        #expect(!PipelinePlanner(definition: definition, artifacts: store).stages.contains("pretrain"))
        definition.student.checkpoint = ""
        #expect(PipelinePlanner(definition: definition, artifacts: store).stages.contains("pretrain"))
    }
}

/// The base model in the repository still reads as its card says: a change of the suite or of the model code that
/// breaks it fails here. The probe runs on the first 10 held-out scenes per family (and drills per kind) and each
/// rate must stay above the shipped 200-item probe's (`probe.json`) less three binomial standard deviations of a
/// 10-item sample (at least 0.1): the items and the model are fixed, so the numbers are too, and the margin only
/// covers 10 items' distance from the 200-item figure.
@Test func theShippedBaseHashesToItsPinAndReadsHeldOutScenesAsItsCardSays() throws {
    let folder = try #require(ShippedModels.locate(ShippedModels.defaultBase), "models/\(ShippedModels.defaultBase)")
    #expect(try StudentCheckpoint.contentHash(of: folder) == ShippedModels.pinnedHashes[ShippedModels.defaultBase])
    let recipe = try JSONDecoder().decode(BaseRecipe.self, from: Data(contentsOf:
        folder.appendingPathComponent(BaseShipment.recipeFile)))
    let shipped = try JSONDecoder().decode(ProbeRecord.self, from: Data(contentsOf:
        folder.appendingPathComponent(BaseShipment.probeFile)))
    let work = FileManager.default.temporaryDirectory.appendingPathComponent("base-probe-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: work) }
    let items = 10.0
    let record = try BaseProbe.run(model: folder, recipe: recipe, items: Int(items), work: work)
    let floor = { (card: Double) in card - max(0.1, 3 * (card * (1 - card) / items).squareRoot()) }
    #expect(record.captions.families.map(\.family) == shipped.captions.families.map(\.family))
    for (family, card) in zip(record.captions.families, shipped.captions.families) {
        #expect(family.exact >= floor(card.exact), "\(family.family) captions exact \(family.exact), card \(card.exact)")
        for (slot, cardSlot) in zip(family.slots, card.slots) {
            #expect(slot.accuracy >= floor(cardSlot.accuracy),
                    "\(family.family) \(slot.name) \(slot.accuracy), card \(cardSlot.accuracy)")
        }
        #expect(family.lossOtherImage > 2 * family.lossOwnImage, "\(family.family) reads its image")
    }
    #expect(record.drills.lines.map(\.name) == shipped.drills.lines.map(\.name))
    for (line, card) in zip(record.drills.lines, shipped.drills.lines) {
        #expect(line.exact >= floor(card.exact), "drill \(line.name) \(line.exact), card \(card.exact)")
    }
}
