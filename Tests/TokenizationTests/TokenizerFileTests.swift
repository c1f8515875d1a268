import Foundation
import Testing
@testable import Tokenization

@Suite struct TokenizerFileTests {
    let tokenizer = TestCorpus.tokenizer

    @Test func savedAndLoadedTokenizerIsIdentical() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tokenizer-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: url) }
        try tokenizer.save(to: url)
        let loaded = try Tokenizer.load(from: url)
        #expect(loaded == tokenizer)
        #expect(try loaded.jsonData() == tokenizer.jsonData())
        for text in TestCorpus.trickyTexts + TestCorpus.rows {
            #expect(loaded.encode(text) == tokenizer.encode(text))
        }
    }

    @Test func fileFollowsTheHuggingFaceLayout() throws {
        let json = try #require(try JSONSerialization.jsonObject(with: tokenizer.jsonData()) as? [String: Any])
        let model = try #require(json["model"] as? [String: Any])
        #expect(model["type"] as? String == "BPE")
        let vocab = try #require(model["vocab"] as? [String: Int])
        #expect(vocab.count == tokenizer.vocabularySize)
        #expect(vocab["Ġ"] != nil && vocab["<|eos|>"] == tokenizer.id(of: .eos))
        let merges = try #require(model["merges"] as? [[String]])
        #expect(merges.count == tokenizer.merges.count)
        let added = try #require(json["added_tokens"] as? [[String: Any]])
        #expect(added.map { $0["content"] as? String } == SpecialToken.allCases.map(\.rawValue))
        let preTokenizer = try #require(json["pre_tokenizer"] as? [String: Any])
        #expect(preTokenizer["type"] as? String == "Sequence")
    }

    @Test func readsTheOlderSpaceSeparatedMergeForm() throws {
        let data = try tokenizer.jsonData()
        var json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var model = try #require(json["model"] as? [String: Any])
        let merges = try #require(model["merges"] as? [[String]])
        model["merges"] = merges.map { $0.joined(separator: " ") }
        json["model"] = model
        let rewritten = try JSONSerialization.data(withJSONObject: json)
        #expect(try Tokenizer(jsonData: rewritten) == tokenizer)
    }

    @Test func rejectsFilesItCannotHonour() throws {
        #expect(throws: TokenizerError.self) { try Tokenizer(jsonData: Data("{}".utf8)) }
        let data = try tokenizer.jsonData()
        let wordPiece = String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\"BPE\"", with: "\"WordPiece\"")
        #expect(throws: TokenizerError.unsupportedFile("model type WordPiece is not BPE")) {
            try Tokenizer(jsonData: Data(wordPiece.utf8))
        }
    }
}

@Suite struct TokenizerFileValidationTests {
    /// The fixture tokenizer's JSON with `edit` applied to its model section.
    func editedModel(_ edit: (inout [String: Any]) -> Void) throws -> Data {
        var json = try #require(try JSONSerialization.jsonObject(with: TestCorpus.tokenizer.jsonData()) as? [String: Any])
        var model = try #require(json["model"] as? [String: Any])
        edit(&model)
        json["model"] = model
        return try JSONSerialization.data(withJSONObject: json)
    }

    @Test func rejectsAMergeOfUnknownTokens() throws {
        let data = try editedModel { model in
            model["merges"] = ((model["merges"] as? [[String]]) ?? []) + [["zzz", "q"]]
        }
        #expect(throws: TokenizerError.malformedFile("merge zzz q names a token missing from the vocabulary")) {
            try Tokenizer(jsonData: data)
        }
    }

    @Test func rejectsAVocabularyWithoutEveryByte() throws {
        let data = try editedModel { model in
            var vocab = (model["vocab"] as? [String: Int]) ?? [:]
            // Byte 0 is written "Ā"; give its id to a two-byte token instead, so ids stay dense.
            vocab["ĀĀ"] = vocab.removeValue(forKey: "Ā")
            model["vocab"] = vocab
        }
        #expect(throws: TokenizerError.unsupportedFile("byte 0 has no token, so some text could not be encoded")) {
            try Tokenizer(jsonData: data)
        }
    }
}
