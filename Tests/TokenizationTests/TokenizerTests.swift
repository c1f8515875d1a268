import Foundation
import Testing
@testable import Tokenization

@Suite struct TokenizerTests {
    let tokenizer = TestCorpus.tokenizer

    @Test func roundTripsTrickyUTF8Exactly() throws {
        for text in TestCorpus.trickyTexts + TestCorpus.rows {
            let ids = tokenizer.encode(text)
            #expect(try tokenizer.decodeBytes(ids) == Array(text.utf8), "bytes differ for \(text.debugDescription)")
            #expect(try tokenizer.decode(ids) == text)
        }
    }

    @Test func roundTripsEveryByteValueAndScalarPlane() throws {
        let scalars = (0..<0x1_1000).compactMap { Unicode.Scalar(UInt32($0 * 17 % 0x11_0000)) }
        let text = String(String.UnicodeScalarView(scalars))
        #expect(try tokenizer.decodeBytes(tokenizer.encode(text)) == Array(text.utf8))
    }

    @Test func compressesTextItWasTrainedOn() {
        let row = TestCorpus.rows[0]
        #expect(tokenizer.encode(row).count * 3 < row.utf8.count * 2)
    }

    @Test func reachesTheRequestedVocabularySizeWithSpecialsFirst() {
        #expect(tokenizer.vocabularySize == 320)
        #expect(tokenizer.id(of: .pad) == 0)
        #expect(SpecialToken.allCases.map { tokenizer.id(of: $0) } == Array(0..<SpecialToken.allCases.count))
        #expect(tokenizer.merges.count == 320 - SpecialToken.allCases.count - 256)
    }

    @Test func learnsTheMostFrequentPairsFirst() throws {
        // The classic example: ug (20) then un (16) then hug (15).
        let corpus = Array(repeating: "hug", count: 10) + Array(repeating: "pug", count: 5)
            + Array(repeating: "pun", count: 12) + Array(repeating: "bun", count: 4) + Array(repeating: "hugs", count: 5)
        let trained = try Tokenizer.train(corpus: corpus, vocabularySize: 256 + 3, specialTokens: [])
        let learned = trained.merges.map { String(decoding: trained.tokenBytes[$0.result], as: UTF8.self) }
        #expect(learned == ["ug", "un", "hug"])
    }

    @Test func breaksTiesBySmallerIDs() throws {
        let trained = try Tokenizer.train(corpus: ["cd", "ab"], vocabularySize: 257, specialTokens: [], minPairCount: 1)
        #expect(trained.tokenBytes[trained.merges[0].result] == Array("ab".utf8))
    }

    @Test func stopsWhenNoPairIsFrequentEnough() throws {
        let trained = try Tokenizer.train(corpus: ["ab", "cd"], vocabularySize: 1000, specialTokens: [])
        #expect(trained.vocabularySize == 256)
    }

    @Test func trainingIsDeterministicAndIndependentOfRowOrder() throws {
        let first = try Tokenizer.train(corpus: TestCorpus.rows, vocabularySize: 320)
        let again = try Tokenizer.train(corpus: TestCorpus.rows, vocabularySize: 320)
        let reversed = try Tokenizer.train(corpus: TestCorpus.rows.reversed(), vocabularySize: 320)
        #expect(first == again)
        #expect(first == reversed)
        #expect(try first.jsonData() == reversed.jsonData())
    }

    @Test func specialTokensAreNeverProducedFromText() {
        let specialIDs = Set(SpecialToken.allCases.compactMap { tokenizer.id(of: $0) })
        for text in TestCorpus.trickyTexts + TestCorpus.rows + SpecialToken.allCases.map(\.rawValue) {
            #expect(tokenizer.encode(text).allSatisfy { !specialIDs.contains($0) })
        }
        #expect(tokenizer.encode("<|eos|>").count > 1)
    }

    @Test func mergesNeverCrossPreTokenBoundaries() throws {
        for text in TestCorpus.trickyTexts + TestCorpus.rows {
            var boundaries: Set<Int> = [0]
            var offset = 0
            for piece in tokenizer.preTokenizer.pieces(of: text) {
                offset += piece.utf8.count
                boundaries.insert(offset)
            }
            var tokenEnds: Set<Int> = [0]
            offset = 0
            for id in tokenizer.encode(text) {
                offset += tokenizer.tokenBytes[id].count
                tokenEnds.insert(offset)
            }
            #expect(boundaries.isSubset(of: tokenEnds), "a token spans a pre-token boundary in \(text.debugDescription)")
        }
        for merge in tokenizer.merges {
            let bytes = tokenizer.tokenBytes[merge.result]
            let allSpace = bytes.allSatisfy { $0 == 0x20 || $0 == 0x0A }
            #expect(allSpace || !bytes.dropFirst().contains(0x20), "learned token crosses a space: \(bytes)")
        }
    }

    @Test func digitsAreAlwaysSingleByteTokens() {
        for merge in tokenizer.merges {
            #expect(!tokenizer.tokenBytes[merge.result].contains { (0x30...0x39).contains($0) })
        }
        #expect(tokenizer.encode("2026").count == 4)
    }

    @Test func rejectsAVocabularyTooSmallForBytesAndSpecials() {
        #expect(throws: TokenizerError.vocabularyTooSmall(requested: 100, minimum: 263)) {
            try Tokenizer.train(corpus: ["x"], vocabularySize: 100)
        }
    }

    @Test func decodingAnUnknownIDFailsClearly() {
        #expect(throws: TokenizerError.unknownTokenID(320, vocabularySize: 320)) {
            try tokenizer.decode([1, 320])
        }
    }

    @Test func decodingCanSkipSpecialTokens() throws {
        let eos = try #require(tokenizer.id(of: .eos))
        #expect(try tokenizer.decode(tokenizer.encode("ok") + [eos]) == "ok<|eos|>")
        #expect(try tokenizer.decode(tokenizer.encode("ok") + [eos], skipSpecialTokens: true) == "ok")
    }

    @Test func encodesTheSameFromManyThreads() async {
        let expected = TestCorpus.rows.map { tokenizer.encode($0) }
        let fresh = TestCorpus.tokenizer
        let results = await withTaskGroup(of: [[Int]].self) { group in
            for _ in 0..<4 { group.addTask { TestCorpus.rows.map { fresh.encode($0) } } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.allSatisfy { $0 == expected })
    }
}

@Suite struct TokenizerEdgeTests {
    let tokenizer = TestCorpus.tokenizer

    @Test func decodingASampleCutInsideACharacterRepairsIt() throws {
        let ids = tokenizer.encode("é")
        #expect(ids.count == 2)  // two bytes, no merge learned for them
        #expect(try tokenizer.decode([ids[0]]) == "\u{FFFD}")
        #expect(try tokenizer.decodeBytes([ids[0]]) == [0xC3])
    }

    @Test func encodeCacheForgetsWhenFullButKeepsAnswering() {
        let cache = EncodeCache(capacity: 2)
        cache.store([1], [10])
        cache.store([2], [20])
        #expect(cache.lookup([1]) == [10])
        cache.store([3], [30])  // full: cleared, then stored
        #expect(cache.lookup([1]) == nil)
        #expect(cache.lookup([3]) == [30])
    }
}
