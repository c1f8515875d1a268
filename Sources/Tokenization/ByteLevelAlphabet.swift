/// The GPT-2 byte-to-character table that HuggingFace `tokenizers` (ByteLevel) uses to write byte strings as
/// printable JSON keys: printable Latin-1 bytes stand for themselves, the other 68 bytes map to U+0100 and up
/// (so a space is written `Ġ`). Only the saved file uses it; in memory tokens are plain bytes.
enum ByteLevelAlphabet {
    /// The character written for each byte value, indexed by the byte.
    static let characterForByte: [Character] = {
        var table = [Character](repeating: " ", count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            let printable = (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
            let code = printable ? UInt32(byte) : { defer { next += 1 }; return next }()
            table[byte] = Character(Unicode.Scalar(code)!)
        }
        return table
    }()

    /// The byte for each table scalar, the inverse of `characterForByte`.
    static let byteForScalar: [Unicode.Scalar: UInt8] = {
        var inverse: [Unicode.Scalar: UInt8] = [:]
        for (byte, character) in characterForByte.enumerated() { inverse[character.unicodeScalars.first!] = UInt8(byte) }
        return inverse
    }()

    /// Writes bytes as the table's printable string.
    static func encode(_ bytes: [UInt8]) -> String {
        String(bytes.map { characterForByte[Int($0)] })
    }

    /// Reads a table string back to bytes; nil when a character is outside the table.
    static func decode(_ text: String) -> [UInt8]? {
        var bytes: [UInt8] = []
        // Scalars, not Characters: the table is one scalar per byte and must not be regrouped into graphemes.
        for scalar in text.unicodeScalars {
            guard let byte = byteForScalar[scalar] else { return nil }
            bytes.append(byte)
        }
        return bytes
    }
}
