/// How the final answer was found in a response.
public enum ExtractionRule: String, Codable, Sendable {
    /// After the last `### Answer:` (any number of `#`, any case, any spaces).
    case marker
    /// After the last `answer:` without `#` ("Final answer: 4").
    case answerColon = "answer-colon"
    /// After the last "answer is" ("so the answer is 4."), up to the end of the sentence.
    case answerIs = "answer-is"
    /// The whole response, when it is one short line (a direct answer).
    case wholeShort = "whole-short"
    /// Nothing usable: no marker, no fallback, or an empty answer after the marker.
    case none
}

/// The answer found in a response, or none.
public struct Extraction: Sendable, Equatable {
    /// The answer text, trimmed; nil when nothing usable was found.
    public var text: String?
    /// Which rule found it.
    public var rule: ExtractionRule
}

/// Finds the final answer of a response. Works on UTF-8 bytes: the judge runs tens of thousands of times a second.
public enum AnswerExtractor {
    /// The longest response taken whole as a direct answer, in words.
    public static let shortAnswerWords = 6

    /// Extracts the final answer: after the last `### Answer:`, else after the last `answer:`, else after the last
    /// "answer is", else the whole response if it is one short line, else nothing.
    public static func extract(_ response: String) -> Extraction {
        let bytes = Array(response.utf8)
        if let end = lastMatch(bytes, needHash: true) {
            return Extraction(text: nonEmpty(answerLine(bytes, from: end, stopAtPeriod: false)), rule: .marker)
        }
        if let end = lastMatch(bytes, needHash: false), let text = nonEmpty(answerLine(bytes, from: end,
                                                                                        stopAtPeriod: false)) {
            return Extraction(text: text, rule: .answerColon)
        }
        if let end = lastAnswerIs(bytes), let text = nonEmpty(answerLine(bytes, from: end, stopAtPeriod: true)) {
            return Extraction(text: text, rule: .answerIs)
        }
        let trimmed = trim(bytes[...])
        if !trimmed.isEmpty, !trimmed.contains(newline),
           trimmed.split(separator: space).count <= shortAnswerWords {
            return Extraction(text: String(decoding: trimmed, as: UTF8.self), rule: .wholeShort)
        }
        return Extraction(text: nil, rule: .none)
    }

    private static let hash = UInt8(ascii: "#"), colon = UInt8(ascii: ":"), space = UInt8(ascii: " ")
    private static let newline = UInt8(ascii: "\n"), period = UInt8(ascii: ".")
    private static let word = Array("answer".utf8)

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == space || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") || byte == newline
    }

    /// Spaces, tabs and markdown emphasis (`**Answer:**`) may pad the marker.
    private static func isPadding(_ byte: UInt8) -> Bool {
        byte == space || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "*")
    }

    private static func lower(_ byte: UInt8) -> UInt8 {
        byte >= 65 && byte <= 90 ? byte + 32 : byte
    }

    /// Whether "answer" (any case) starts at `i`.
    private static func isAnswerWord(_ bytes: [UInt8], at i: Int) -> Bool {
        guard i + word.count <= bytes.count else { return false }
        for k in 0..<word.count where lower(bytes[i + k]) != word[k] { return false }
        return true
    }

    /// The index after the last `#... answer :` (or `answer:` when `needHash` is false); tabs, spaces and `*` may
    /// sit between the parts.
    private static func lastMatch(_ bytes: [UInt8], needHash: Bool) -> Int? {
        var i = bytes.count - 1
        while i >= 0 {
            if lower(bytes[i]) == UInt8(ascii: "a"), isAnswerWord(bytes, at: i) {
                var j = i + word.count
                while j < bytes.count, isPadding(bytes[j]) { j += 1 }
                if j < bytes.count, bytes[j] == colon {
                    var k = i - 1
                    while k >= 0, isPadding(bytes[k]) { k -= 1 }
                    let hashed = k >= 0 && bytes[k] == hash
                    if hashed == needHash { return j + 1 }
                }
            }
            i -= 1
        }
        return nil
    }

    /// The index after the last "answer is".
    private static func lastAnswerIs(_ bytes: [UInt8]) -> Int? {
        var i = bytes.count - 1
        while i >= 0 {
            if lower(bytes[i]) == UInt8(ascii: "a"), isAnswerWord(bytes, at: i) {
                var j = i + word.count
                guard j < bytes.count, bytes[j] == space else { i -= 1; continue }
                while j < bytes.count, bytes[j] == space { j += 1 }
                if j + 1 < bytes.count, lower(bytes[j]) == UInt8(ascii: "i"), lower(bytes[j + 1]) == UInt8(ascii: "s"),
                   j + 2 == bytes.count || isBlank(bytes[j + 2]) || bytes[j + 2] == colon {
                    return j + 2 + (j + 2 < bytes.count && bytes[j + 2] == colon ? 1 : 0)
                }
            }
            i -= 1
        }
        return nil
    }

    /// The first non-blank line from `start`; with `stopAtPeriod`, cut at a sentence end (a period not inside a
    /// number).
    private static func answerLine(_ bytes: [UInt8], from start: Int, stopAtPeriod: Bool) -> String {
        var i = start
        while i < bytes.count, isBlank(bytes[i]) || bytes[i] == UInt8(ascii: "*") { i += 1 }
        var end = i
        while end < bytes.count, bytes[end] != newline {
            if stopAtPeriod, bytes[end] == period,
               !(end + 1 < bytes.count && bytes[end + 1] >= 48 && bytes[end + 1] <= 57) { break }
            end += 1
        }
        var line = trim(bytes[i..<end])
        while line.last == UInt8(ascii: "*") { line = trim(line.dropLast()) }
        return String(decoding: line, as: UTF8.self)
    }

    private static func trim(_ slice: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var lo = slice.startIndex, hi = slice.endIndex
        while lo < hi, isBlank(slice[lo]) { lo += 1 }
        while hi > lo, isBlank(slice[hi - 1]) { hi -= 1 }
        return slice[lo..<hi]
    }

    private static func nonEmpty(_ text: String) -> String? {
        text.isEmpty ? nil : text
    }
}
