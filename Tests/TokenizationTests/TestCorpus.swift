@testable import Tokenization

/// Shared fixtures: a small deterministic corpus shaped like the student's rows (captions, arithmetic, answers).
enum TestCorpus {
    /// Caption, question and arithmetic rows built from fixed lists, so every run sees the same text.
    static let rows: [String] = {
        let colors = ["red", "blue", "green", "yellow", "purple"]
        let shapes = ["bar", "circle", "square", "triangle"]
        var rows: [String] = []
        for (i, color) in colors.enumerated() {
            for (j, shape) in shapes.enumerated() {
                let value = (i * 7 + j * 3) % 10
                rows.append("The \(color) \(shape) is \(value). Bars: \(color) \(value), blue \(j), green \(i).")
                rows.append("<image>\nHow many \(shape)s are \(color)? Answer: \(value)")
                rows.append("\(value + 12) - \(j) = \(value + 12 - j); it's the \(color) one's value.")
            }
        }
        return rows
    }()

    /// A tokenizer trained on `rows` with a small vocabulary (trained once, shared by tests).
    static let tokenizer: Tokenizer = {
        do {
            return try Tokenizer.train(corpus: rows, vocabularySize: 320)
        } catch {
            fatalError("training the fixture tokenizer failed: \(error)")
        }
    }()

    /// Texts that stress byte-level round trips.
    static let trickyTexts: [String] = [
        "",
        "plain ascii text",
        "emoji 👩‍👩‍👧‍👦 family, flag 🇫🇷, skin 👍🏽, keycap 1️⃣",
        "combining e\u{301} vs \u{E9}; a\u{308}\u{304}; Z\u{335}\u{31B}\u{317}algo",
        "CJK 漢字かなカナ한국어 中文，标点。",
        "NUL \u{0} inside \u{0}\u{0} and controls \u{1}\u{7F}\u{1B}[0m",
        "replacement \u{FFFD}, BOM \u{FEFF}, max \u{10FFFF}, private \u{E000}, noncharacter \u{FFFE}",
        "looks invalid: \\xC3\\x28 \\uD800 %C3%28 \u{C3}\u{28}",
        String(decoding: [0x61, 0xC3, 0x28, 0xFF, 0xF0, 0x9F, 0x98, 0x62], as: UTF8.self),
        "CRLF\r\nLF\nCR\rtab\tvt\u{B}ff\u{C} nbsp\u{A0}em\u{2003}ideo\u{3000}ls\u{2028}",
        "   leading and trailing   ",
        "\n\n\n",
        "RTL עברית العربية mixed 123",
        "digits ١٢٣ ①②③ Ⅻ 3.14159 -42 1e10",
        "<|eos|><|user|><|assistant|><|end|><|image|><|pad|><|system|>",
        "it's they're we've I'm you'll he'd 'S 'T",
        String(repeating: "a", count: 300) + String(repeating: " ", count: 50) + String(repeating: "!?", count: 40),
    ]
}
