/// Splits text into pre-tokens, the pieces inside which BPE merges may happen, so that no merge crosses a
/// word, number or punctuation boundary.
///
/// The rule equals HuggingFace `tokenizers`' `Sequence[Digits(individual_digits), ByteLevel(use_regex)]`:
/// with `splitDigits` every digit (Unicode `\p{N}`) is a piece of its own, and each stretch between digits is
/// split by the GPT-2 pattern `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`.
/// Single-digit pieces keep a tiny model's arithmetic regular: "17" is always the tokens "1","7" and a number
/// never fuses with the space before it (calibration.md: the last student got arithmetic right 10-32% of the time).
/// The scanner is written by hand over UTF-8 bytes because it runs for every row the trainer reads.
public struct PreTokenizer: Sendable, Equatable {
    /// Whether every digit is its own pre-token (true for the student; false gives plain GPT-2 number runs).
    public var splitDigits: Bool

    /// A pre-tokenizer; `splitDigits` defaults to true (see the type's comment for why).
    public init(splitDigits: Bool = true) {
        self.splitDigits = splitDigits
    }

    /// The pieces of `text`, as strings (for tests and inspection; encoding uses the byte ranges directly).
    public func pieces(of text: String) -> [String] {
        var utf8 = Array(text.utf8)
        var result: [String] = []
        utf8.withUnsafeMutableBufferPointer { buffer in
            split(UnsafeBufferPointer(buffer)) { range in
                result.append(String(decoding: UnsafeBufferPointer(rebasing: buffer[range]), as: UTF8.self))
            }
        }
        return result
    }

    /// Calls `body` with the byte range of each piece of the valid UTF-8 in `bytes`, in order, covering all bytes.
    func split(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>) -> Void) {
        let end = bytes.count
        var i = 0
        while i < end {
            let (first, firstLength) = Self.scalarClass(bytes, at: i)
            // A digit as its own piece; it also ends the stretch the GPT-2 pattern sees (the lookahead below).
            if first == .number && splitDigits {
                body(i..<(i + firstLength))
                i += firstLength
                continue
            }
            if let length = contractionLength(bytes, at: i) {
                body(i..<(i + length))
                i += length
                continue
            }
            var runClass = first
            var runStart = i
            if bytes[i] == 0x20, i + 1 < end {
                let (next, _) = Self.scalarClass(bytes, at: i + 1)
                if next == .letter || next == .other || (next == .number && !splitDigits) {
                    runClass = next
                    runStart = i + 1
                }
            }
            if runClass == .whitespace {
                i = whitespaceEnd(bytes, from: i, body)
                continue
            }
            var j = runStart
            while j < end {
                let (kind, length) = Self.scalarClass(bytes, at: j)
                guard kind == runClass else { break }
                j += length
            }
            body(i..<j)
            i = j
        }
    }

    /// Emits `\s+(?!\S)|\s+` at `start` and returns where it ended: a whitespace run followed by text gives its
    /// last whitespace scalar to the next piece (so " word" keeps its space), unless the run is that one scalar.
    private func whitespaceEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, _ body: (Range<Int>) -> Void) -> Int {
        var j = start
        var lastStart = start
        var scalars = 0
        var followedByText = false
        while j < bytes.count {
            let (kind, length) = Self.scalarClass(bytes, at: j)
            if kind != .whitespace {
                followedByText = !(kind == .number && splitDigits)
                break
            }
            lastStart = j
            scalars += 1
            j += length
        }
        if followedByText && scalars > 1 {
            body(start..<lastStart)
            return lastStart
        }
        body(start..<j)
        return j
    }

    /// The length of a GPT-2 contraction ('s 't 're 've 'm 'll 'd, lowercase ASCII) at `i`, or nil.
    private func contractionLength(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> Int? {
        guard bytes[i] == 0x27, i + 1 < bytes.count else { return nil }
        let second = bytes[i + 1]
        switch second {
        case UInt8(ascii: "s"), UInt8(ascii: "t"), UInt8(ascii: "m"), UInt8(ascii: "d"):
            return 2
        case UInt8(ascii: "r"), UInt8(ascii: "v"), UInt8(ascii: "l"):
            guard i + 2 < bytes.count else { return nil }
            let third = bytes[i + 2]
            let expected: UInt8 = second == UInt8(ascii: "l") ? UInt8(ascii: "l") : UInt8(ascii: "e")
            return third == expected ? 3 : nil
        default:
            return nil
        }
    }

    /// The character classes of the pattern.
    enum ScalarClass: UInt8 {
        case letter, number, whitespace, other
    }

    /// Class of each ASCII byte, looked up instead of asking Unicode properties on the common path.
    private static let asciiClasses: [ScalarClass] = (0..<128).map { classify(Unicode.Scalar(UInt8($0))) }

    /// Decodes the scalar starting at `i` (the bytes are valid UTF-8, as every Swift String is) and classifies it.
    @inline(__always)
    static func scalarClass(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> (ScalarClass, Int) {
        let lead = bytes[i]
        if lead < 0x80 { return (asciiClasses[Int(lead)], 1) }
        var value: UInt32
        let length: Int
        if lead < 0xE0 {
            value = UInt32(lead & 0x1F); length = 2
        } else if lead < 0xF0 {
            value = UInt32(lead & 0x0F); length = 3
        } else {
            value = UInt32(lead & 0x07); length = 4
        }
        for k in 1..<length { value = value << 6 | UInt32(bytes[i + k] & 0x3F) }
        return (classify(Unicode.Scalar(value) ?? "\u{FFFD}"), length)
    }

    /// Unicode class of a scalar: `\p{L}`, `\p{N}`, White_Space, or anything else.
    static func classify(_ scalar: Unicode.Scalar) -> ScalarClass {
        let properties = scalar.properties
        if properties.isWhitespace { return .whitespace }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            return .number
        default:
            return .other
        }
    }
}
