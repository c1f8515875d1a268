/// A byte-level BPE tokenizer: text is split into pre-tokens (`PreTokenizer`), each pre-token's UTF-8 bytes start
/// as byte tokens and are merged by rank. Every byte has a token, so any text round-trips exactly
/// (`decodeBytes(encode(s)) == Array(s.utf8)`). Special tokens have ids of their own that `encode` never emits;
/// the chat template inserts them by id.
///
/// Create one with `train(corpus:vocabularySize:)` or `load(from:)`; it is an immutable value, safe to share.
public struct Tokenizer: Sendable {
    /// A learned merge: the pair `left`,`right` becomes `result`; earlier merges in `merges` apply first.
    public struct Merge: Sendable, Equatable {
        /// Left token id.
        public let left: Int
        /// Right token id.
        public let right: Int
        /// Id of the merged token.
        public let result: Int
    }

    /// How text is split before merging.
    public let preTokenizer: PreTokenizer
    /// Bytes of every token by id; a special token's bytes are its text, used only when decoding.
    public let tokenBytes: [[UInt8]]
    /// Merges in rank order.
    public let merges: [Merge]
    /// Special token contents by id, ascending.
    public let specialTokens: [(id: Int, content: String)]

    /// Id of each single-byte token, by byte value.
    private let byteIDs: [Int32]
    /// Rank and result of each mergeable pair, keyed by `pairKey(left, right)`.
    private let mergeTable: [UInt64: (rank: Int32, result: Int32)]
    /// Id of each special token by content.
    private let specialIDs: [String: Int]
    /// Whether each id is a special token.
    private let isSpecial: [Bool]
    /// Merged pieces seen before (not part of the tokenizer's value).
    private let cache = EncodeCache()

    /// Number of token ids (specials, bytes and merges).
    public var vocabularySize: Int { tokenBytes.count }

    /// Builds a tokenizer from its parts after checking they are consistent: the 256 bytes present, each merge's
    /// result the concatenation of its pair, special ids distinct from byte-level tokens.
    init(preTokenizer: PreTokenizer, tokenBytes: [[UInt8]], specialTokens: [(id: Int, content: String)],
         mergePairs: [(left: Int, right: Int)]) throws(TokenizerError) {
        var isSpecial = [Bool](repeating: false, count: tokenBytes.count)
        var specialIDs: [String: Int] = [:]
        for (id, content) in specialTokens {
            guard tokenBytes.indices.contains(id), !isSpecial[id] else {
                throw .malformedFile("special token \(content) has id \(id), outside the vocabulary or repeated")
            }
            guard !content.isEmpty, specialIDs.updateValue(id, forKey: content) == nil else {
                throw .invalidSpecialTokens("\"\(content)\" is empty or repeated")
            }
            isSpecial[id] = true
        }
        var idOfBytes: [[UInt8]: Int] = [:]
        for (id, bytes) in tokenBytes.enumerated() where !isSpecial[id] {
            guard idOfBytes.updateValue(id, forKey: bytes) == nil else {
                throw .malformedFile("two tokens have the same bytes \(bytes)")
            }
        }
        var byteIDs = [Int32](repeating: 0, count: 256)
        for byte in 0..<256 {
            guard let id = idOfBytes[[UInt8(byte)]] else {
                throw .unsupportedFile("byte \(byte) has no token, so some text could not be encoded")
            }
            byteIDs[byte] = Int32(id)
        }
        var merges: [Merge] = []
        var mergeTable: [UInt64: (rank: Int32, result: Int32)] = [:]
        for (rank, pair) in mergePairs.enumerated() {
            guard tokenBytes.indices.contains(pair.left), tokenBytes.indices.contains(pair.right),
                  !isSpecial[pair.left], !isSpecial[pair.right],
                  let result = idOfBytes[tokenBytes[pair.left] + tokenBytes[pair.right]] else {
                throw .malformedFile("merge \(rank) (\(pair.left), \(pair.right)) does not join two vocabulary tokens into a third")
            }
            let key = Self.pairKey(Int32(pair.left), Int32(pair.right))
            guard mergeTable[key] == nil else { throw .malformedFile("merge \(rank) repeats an earlier merge") }
            mergeTable[key] = (Int32(rank), Int32(result))
            merges.append(Merge(left: pair.left, right: pair.right, result: result))
        }
        self.preTokenizer = preTokenizer
        self.tokenBytes = tokenBytes
        self.merges = merges
        self.specialTokens = specialTokens.sorted { $0.id < $1.id }
        self.byteIDs = byteIDs
        self.mergeTable = mergeTable
        self.specialIDs = specialIDs
        self.isSpecial = isSpecial
    }

    /// The id of a special token of the student's format, if the tokenizer has it.
    public func id(of special: SpecialToken) -> Int? {
        specialIDs[special.rawValue]
    }

    /// The id of a special token by its content (e.g. "<|eos|>"), if present.
    public func specialTokenID(_ content: String) -> Int? {
        specialIDs[content]
    }

    /// Whether `id` is a special token.
    public func isSpecialToken(_ id: Int) -> Bool {
        isSpecial.indices.contains(id) && isSpecial[id]
    }

    // MARK: Encoding

    /// Token ids of `text`, treated entirely as plain text: special-token spellings inside it become ordinary tokens.
    public func encode(_ text: String) -> [Int] {
        var ids: [Int] = []
        append(text, to: &ids)
        return ids
    }

    /// Appends the token ids of plain `text` to `ids` (the chat template builds sequences this way).
    public func append(_ text: String, to ids: inout [Int]) {
        var text = text
        ids.reserveCapacity(ids.count + text.utf8.count / 3)
        text.withUTF8 { utf8 in
            preTokenizer.split(utf8) { range in
                if range.count == 1 {
                    ids.append(Int(byteIDs[Int(utf8[range.lowerBound])]))
                    return
                }
                let piece = Array(UnsafeBufferPointer(rebasing: utf8[range]))
                // Long pieces (runs of spaces, pasted blobs) rarely repeat; caching them would only cost memory.
                let cacheable = piece.count <= Self.longestCachedPiece
                let merged: [Int32]
                if cacheable, let cached = cache.lookup(piece) {
                    merged = cached
                } else {
                    merged = mergePiece(piece)
                    if cacheable { cache.store(piece, merged) }
                }
                for id in merged { ids.append(Int(id)) }
            }
        }
    }

    /// Longest pre-token, in bytes, kept in the encode cache.
    static let longestCachedPiece = 64

    /// Applies merges to one pre-token: repeatedly the lowest-ranked adjacent pair, all its occurrences left to
    /// right (the GPT-2 / HuggingFace result). Each round scans the piece once and rounds are bounded by the distinct
    /// merges that apply, so even a 100 kB word encodes in milliseconds.
    private func mergePiece(_ piece: [UInt8]) -> [Int32] {
        var symbols = piece.map { byteIDs[Int($0)] }
        var next: [Int32] = []
        next.reserveCapacity(symbols.count)
        while symbols.count > 1 {
            var bestRank = Int32.max
            var best: (left: Int32, right: Int32, result: Int32)?
            for k in 0..<(symbols.count - 1) {
                if let merge = mergeTable[Self.pairKey(symbols[k], symbols[k + 1])], merge.rank < bestRank {
                    bestRank = merge.rank
                    best = (symbols[k], symbols[k + 1], merge.result)
                }
            }
            guard let best else { break }
            next.removeAll(keepingCapacity: true)
            var k = 0
            while k < symbols.count {
                if k + 1 < symbols.count, symbols[k] == best.left, symbols[k + 1] == best.right {
                    next.append(best.result)
                    k += 2
                } else {
                    next.append(symbols[k])
                    k += 1
                }
            }
            swap(&symbols, &next)
        }
        return symbols
    }

    /// One key for a pair of ids, so the merge table hashes a single integer.
    @inline(__always)
    static func pairKey(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
    }

    // MARK: Decoding

    /// The bytes the ids stand for (a special token gives its text, unless skipped).
    public func decodeBytes(_ ids: [Int], skipSpecialTokens: Bool = false) throws(TokenizerError) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ids.count * 3)
        for id in ids {
            guard tokenBytes.indices.contains(id) else { throw .unknownTokenID(id, vocabularySize: vocabularySize) }
            if skipSpecialTokens && isSpecial[id] { continue }
            bytes.append(contentsOf: tokenBytes[id])
        }
        return bytes
    }

    /// The text the ids stand for; bytes that are not valid UTF-8 (a sample cut inside a character) become U+FFFD.
    public func decode(_ ids: [Int], skipSpecialTokens: Bool = false) throws(TokenizerError) -> String {
        String(decoding: try decodeBytes(ids, skipSpecialTokens: skipSpecialTokens), as: UTF8.self)
    }
}

extension Tokenizer: Equatable {
    /// Tokenizers are equal when they encode and decode alike: same pre-tokenizer, vocabulary, merges and specials.
    public static func == (lhs: Tokenizer, rhs: Tokenizer) -> Bool {
        lhs.preTokenizer == rhs.preTokenizer && lhs.tokenBytes == rhs.tokenBytes && lhs.merges == rhs.merges
            && lhs.specialTokens.elementsEqual(rhs.specialTokens) { $0.id == $1.id && $0.content == $1.content }
    }
}
