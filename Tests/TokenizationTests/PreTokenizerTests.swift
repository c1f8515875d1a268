import Testing
@testable import Tokenization

@Suite struct PreTokenizerTests {
    let splitter = PreTokenizer()

    @Test func splitsWordsSpacesAndPunctuationLikeGPT2() {
        #expect(splitter.pieces(of: "Hello world, it's fine!!") == ["Hello", " world", ",", " it", "'s", " fine", "!!"])
    }

    @Test func whitespaceRunGivesItsLastSpaceToTheNextWord() {
        #expect(splitter.pieces(of: "a   b\n\nc \n") == ["a", "  ", " b", "\n", "\n", "c", " \n"])
    }

    @Test func everyDigitIsItsOwnPieceWithoutTheSpaceBeforeIt() {
        #expect(splitter.pieces(of: "12 - 3 = 9") == ["1", "2", " -", " ", "3", " =", " ", "9"])
        #expect(splitter.pieces(of: "x2y") == ["x", "2", "y"])
    }

    @Test func digitRunsStayTogetherWhenNotSplitting() {
        #expect(PreTokenizer(splitDigits: false).pieces(of: "is 123.") == ["is", " 123", "."])
    }

    @Test func piecesCoverTheTextExactly() {
        for text in TestCorpus.trickyTexts {
            #expect(splitter.pieces(of: text).joined().utf8.elementsEqual(text.utf8))
            #expect(PreTokenizer(splitDigits: false).pieces(of: text).joined().utf8.elementsEqual(text.utf8))
        }
    }

    @Test func unicodeClassesFollowLettersNumbersAndMarks() {
        #expect(splitter.pieces(of: "漢字 e\u{301}") == ["漢字", " e", "\u{301}"])
        #expect(splitter.pieces(of: "①Ⅻ") == ["①", "Ⅻ"])
    }
}
