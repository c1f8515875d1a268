import Foundation
import Model
import Testing

/// `VLMConfig`: JSON form and validation.
@Suite struct ConfigTests {
    @Test func configRoundTripsThroughSnakeCaseJSON() throws {
        let config = VLMConfig.reference(vocabSize: 4096)
        let json = String(decoding: try JSONEncoder().encode(config), as: UTF8.self)
        #expect(json.contains("\"image_size\":64"))
        #expect(json.contains("\"decoder_layers\":4"))
        #expect(try JSONDecoder().decode(VLMConfig.self, from: Data(json.utf8)) == config)
        try config.validate()
        #expect(config.patchesPerImage == 64)
    }

    @Test func validationNamesTheBadField() {
        var config = VLMConfig.tiny(vocabSize: 300)
        config.patchSize = 3
        #expect(throws: ModelError.invalidConfig("image_size 8 must be a multiple of patch_size 3")) {
            try config.validate()
        }
        config = .tiny(vocabSize: 300)
        config.decoderHeads = 5
        #expect(throws: ModelError.self) { try config.validate() }
        config = .tiny(vocabSize: 0)
        #expect(throws: ModelError.invalidConfig("vocab_size must be positive, got 0")) { try config.validate() }
    }
}
