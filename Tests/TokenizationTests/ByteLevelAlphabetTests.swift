import Testing
@testable import Tokenization

@Suite struct ByteLevelAlphabetTests {
    @Test func mapsEveryByteToADistinctPrintableScalar() {
        let scalars = ByteLevelAlphabet.characterForByte.map { $0.unicodeScalars.first! }
        #expect(Set(scalars).count == 256)
        #expect(ByteLevelAlphabet.encode([0x20, 0x0A, 0x41]) == "ĠĊA")  // the spellings HuggingFace files use
    }

    @Test func decodesWhatItEncodes() {
        let all = (0...255).map { UInt8($0) }
        #expect(ByteLevelAlphabet.decode(ByteLevelAlphabet.encode(all)) == all)
        #expect(ByteLevelAlphabet.decode("€") == nil)
    }
}
