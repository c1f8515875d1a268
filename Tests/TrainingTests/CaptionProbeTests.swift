import Foundation
import Model
import ReasonerData
import Testing
import Tokenization
@testable import Training

/// The caption probe scores captions field by field and tells a model that ignores its image from one that does not.
@Suite struct CaptionProbeTests {
    @Test func captionsSplitIntoFieldsAndSlotsAreScoredInPlace() {
        let truth = CaptionFields(parsing: "Bars: red 7, blue 3, green 5.")
        #expect(truth.head == "Bars" && truth.fields == [["red", "7"], ["blue", "3"], ["green", "5"]])
        #expect(CaptionFields(parsing: "Bars: red 7, blue 4, green 5.").slotMatches(against: truth, slots: 2) == [3, 2])
        // A dropped bar shifts every later field: the reader of this caption gets blue and green wrong too.
        #expect(CaptionFields(parsing: "Bars: blue 3, green 5.").slotMatches(against: truth, slots: 2) == [0, 0])
        #expect(CaptionFields(parsing: "Bars: red").slotMatches(against: truth, slots: 2) == [1, 0])
        #expect(CaptionFields(parsing: "").fields.isEmpty)
        #expect(CaptionFields.slotNames(.chart) == ["colour", "height"])
    }

    @Test func aModelWhoseProjectorIsZeroHasTheSameLossWithAnyImage() throws {
        let world = try TrainingWorld()
        defer { world.remove() }
        let loaded = try StudentCheckpoint.load(from: world.start)
        let template = try ChatTemplate(tokenizer: loaded.tokenizer)
        let items = try world.items("validation")
        let probe = CaptionProbe(model: loaded.model, template: template, imageRoot: world.suite)
        let seeing = try probe.run(items)
        let chart = try #require(seeing.families.first)
        #expect(seeing.families.count == 1 && chart.family == .chart && chart.scenes == items.count)
        #expect(chart.slots.map(\.name) == ["colour", "height"])
        #expect(chart.lossOwnImage.isFinite && chart.lossOwnImage != chart.lossOtherImage,
                "a random vision tower still changes the prefix with the image")
        #expect(seeing.samples.count == min(3, items.count))
        #expect(seeing.samples.first?.expected == items.first?.scene.caption)

        let store = loaded.model.parameters
        for name in ["vision.projector.2.weight", "vision.projector.2.bias"] {
            let parameter = try #require(store.parameter(named: name))
            store.value(parameter).update(repeating: 0)
        }
        let blind = try probe.run(items).families[0]
        #expect(blind.lossOwnImage == blind.lossOtherImage, "with a zero projector every image is the same prefix")
    }

    @Test func probingNeedsTwoScenesOfAFamily() throws {
        let world = try TrainingWorld()
        defer { world.remove() }
        let loaded = try StudentCheckpoint.load(from: world.start)
        let probe = CaptionProbe(model: loaded.model, template: try ChatTemplate(tokenizer: loaded.tokenizer),
                                 imageRoot: world.suite)
        #expect(throws: TrainingError.self) { try probe.run(Array(try world.items("validation").prefix(1))) }
    }
}
