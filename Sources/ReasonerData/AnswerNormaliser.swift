/// Normalisation of short answers before comparison.
public enum AnswerNormaliser {
    /// Lower case, punctuation to spaces (keeping `.` and `,` inside numbers), articles dropped, spaces collapsed.
    public static func words(_ text: String) -> String {
        var scalars: [Character] = []
        let chars = Array(text.lowercased())
        for (i, c) in chars.enumerated() {
            if c.isLetter || c.isNumber {
                scalars.append(c)
            } else if (c == "." || c == ","), i > 0, i + 1 < chars.count, chars[i - 1].isNumber,
                      chars[i + 1].isNumber {
                if c == "." { scalars.append(c) }
            } else {
                scalars.append(" ")
            }
        }
        return String(scalars).split(separator: " ")
            .filter { $0 != "a" && $0 != "an" && $0 != "the" }
            .joined(separator: " ")
    }

    private static let numberWords: [String: Double] = [
        "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
        "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
        "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    ]

    /// The first number in an answer: thousands separators, currency signs, `%` and units are ignored, `4.0` is 4,
    /// a lone number word ("four") counts; nil when there is none.
    public static func number(_ text: String) -> Double? {
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if isDigit(b) || (b == UInt8(ascii: ".") && i + 1 < bytes.count && isDigit(bytes[i + 1])) {
                let negative = i > 0 && bytes[i - 1] == UInt8(ascii: "-")
                    && (i == 1 || !isDigit(bytes[i - 2]))
                var digits: [UInt8] = []
                var seenPoint = false
                while i < bytes.count {
                    let c = bytes[i]
                    if isDigit(c) {
                        digits.append(c)
                    } else if c == UInt8(ascii: ","), i + 1 < bytes.count, isDigit(bytes[i + 1]), !seenPoint {
                        // A thousands separator: "1,234".
                    } else if c == UInt8(ascii: "."), !seenPoint, i + 1 < bytes.count, isDigit(bytes[i + 1]) {
                        seenPoint = true
                        digits.append(c)
                    } else {
                        break
                    }
                    i += 1
                }
                guard let value = Double(String(decoding: digits, as: UTF8.self)) else { return nil }
                return negative ? -value : value
            }
            i += 1
        }
        let tokens = words(text).split(separator: " ")
        if tokens.count == 1, let value = numberWords[String(tokens[0])] { return value }
        return nil
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }

    /// Levenshtein distance over characters.
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var previous = Array(0...y.count)
        var current = [Int](repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            current[0] = i
            for j in 1...y.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[y.count]
    }
}
