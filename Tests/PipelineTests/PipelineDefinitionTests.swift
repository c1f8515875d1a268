import Foundation
import Testing
@testable import Pipeline

@Test func aDocumentOverridesOnlyWhatItNamesOfItsPreset() throws {
    let definition = try PipelineDocument.parse("""
        preset: full
        name: charts
        suite:
          families: [chart]
          train: 30
        distill: {batch_size: 7}
        """)
    var expected = PipelinePreset.full.definition
    expected.name = "charts"
    expected.suite.families = [.chart]
    expected.suite.train = 30
    expected.distill.batchSize = 7
    #expect(definition == expected)
    #expect(try PipelineDocument.parse("") == PipelinePreset.quick.definition, "an empty document is the quick preset")
    #expect(try PipelineDocument.parse(#"{"distill": {"teacher": "endpoint"}}"#).distill.teacher == "endpoint",
            "JSON reads the same")
}

@Test func mistakesNameTheSettingAtFault() {
    #expect(throws: PipelineDefinitionError.unknownKey("suite.trian")) {
        try PipelineDocument.parse("suite: {trian: 3}")
    }
    #expect(throws: PipelineDefinitionError.invalid("distill.batch_size", "must be at least 1")) {
        try PipelineDocument.parse("distill: {batch_size: 0}")
    }
    #expect(throws: PipelineDefinitionError.self) { try PipelineDocument.parse("preset: huge") }
    #expect(throws: PipelineDefinitionError.self) { try PipelineDocument.parse("suite: {train: many}") }
    #expect(throws: PipelineDefinitionError.self) { try PipelineDocument.parse("- a list") }
}

@Test func thePresetRendersToADocumentThatReadsBackTheSame() throws {
    for preset in PipelinePreset.allCases {
        let text = try PipelineDocument.render(preset.definition)
        #expect(try PipelineDocument.parse("{\"preset\": \"\(preset.rawValue)\"," + text.dropFirst()) == preset.definition)
    }
}
