import Testing
@testable import Training

/// The paper's truncation of responses to their first W whitespace-separated words.
@Suite struct ScoredResponsesTests {
    @Test func keepsTheFirstWordsWithTheirSpacing() {
        let text = "Bars: red 7,\nblue 3.  So 7 - 3 = 4.\n\n### Answer: 4"
        #expect(ScoredResponses.truncate(text, maxWords: 4) == ("Bars: red 7,\nblue", true))
        #expect(ScoredResponses.truncate(text, maxWords: 14) == (text, false))
        #expect(ScoredResponses.truncate(text, maxWords: 13) == ("Bars: red 7,\nblue 3.  So 7 - 3 = 4.\n\n### Answer:", true))
        #expect(ScoredResponses.truncate(text, maxWords: 11) == ("Bars: red 7,\nblue 3.  So 7 - 3 = 4.", true))
        #expect(ScoredResponses.truncate(text, maxWords: nil) == (text, false))
    }
}
