import Foundation
import Testing
@testable import Tokenization

/// Checks against HuggingFace `tokenizers`: `Fixtures/hf-reference.json` holds the ids it gave for tricky and
/// random texts when reading `Fixtures/tokenizer.json` (regenerate with `Tests/Reference/tokenizer_hf_reference.py`).
@Suite struct HuggingFaceReferenceTests {
    /// The reference file's content.
    struct Reference: Decodable {
        var texts: [String]
        var ids: [[Int]]
    }

    func fixture(_ name: String) throws -> Data {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures"))
        return try Data(contentsOf: url)
    }

    @Test func encodesLikeHuggingFaceReadingTheSameFile() throws {
        let tokenizer = try Tokenizer(jsonData: fixture("tokenizer"))
        let reference = try JSONDecoder().decode(Reference.self, from: fixture("hf-reference"))
        #expect(reference.texts.count == reference.ids.count && reference.texts.count > 300)
        for (text, ids) in zip(reference.texts, reference.ids) {
            #expect(tokenizer.encode(text) == ids, "differs from HuggingFace on \(text.debugDescription)")
        }
    }

    @Test func trainingInAnotherProcessGaveTheSameTokenizer() throws {
        // The fixture was trained and saved by an earlier run: Swift seeds its hashing per process, so this
        // catches any dependence of training on dictionary order.
        #expect(try Tokenizer(jsonData: fixture("tokenizer")) == TestCorpus.tokenizer)
    }
}
