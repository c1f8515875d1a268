import Foundation

extension Tokenizer {
    /// The tokenizer as `tokenizer.json` bytes (see `TokenizerFile`); keys sorted, so equal tokenizers give equal
    /// bytes. Throws when a special token is spelled like an ordinary token, which the format cannot tell apart.
    public func jsonData() throws -> Data {
        var vocab: [String: Int] = [:]
        for (id, bytes) in tokenBytes.enumerated() where !isSpecialToken(id) {
            vocab[ByteLevelAlphabet.encode(bytes)] = id
        }
        for (id, content) in specialTokens {
            guard vocab.updateValue(id, forKey: content) == nil else {
                throw TokenizerError.invalidSpecialTokens("\"\(content)\" is spelled like an ordinary token in the saved vocabulary")
            }
        }
        let file = TokenizerFile(
            addedTokens: specialTokens.map { .init(id: $0.id, content: $0.content) },
            preTokenizer: .init(preTokenizer),
            model: .init(vocab: vocab, merges: merges.map {
                .init(left: ByteLevelAlphabet.encode(tokenBytes[$0.left]), right: ByteLevelAlphabet.encode(tokenBytes[$0.right]))
            }))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return try encoder.encode(file)
    }

    /// Writes the tokenizer to `url` as `tokenizer.json` (atomically, so a reader never sees half a file).
    public func save(to url: URL) throws {
        try jsonData().write(to: url, options: .atomic)
    }

    /// Reads a tokenizer saved by `save(to:)` (or a HuggingFace byte-level BPE `tokenizer.json` with the same
    /// pre-tokenizer).
    public static func load(from url: URL) throws -> Tokenizer {
        try Tokenizer(jsonData: Data(contentsOf: url))
    }

    /// Reads a tokenizer from `tokenizer.json` bytes.
    public init(jsonData: Data) throws(TokenizerError) {
        let file: TokenizerFile
        do {
            file = try JSONDecoder().decode(TokenizerFile.self, from: jsonData)
        } catch {
            throw .malformedFile("\(error)")
        }
        guard file.model.type == "BPE" else { throw .unsupportedFile("model type \(file.model.type) is not BPE") }
        guard file.model.byteFallback != true, file.model.continuingSubwordPrefix == nil,
              file.model.endOfWordSuffix == nil, file.normalizer == nil else {
            throw .unsupportedFile("normalizer, byte_fallback, subword prefix or suffix are not supported")
        }
        guard let preTokenizer = file.preTokenizer.preTokenizer else {
            throw .unsupportedFile("pre_tokenizer must be ByteLevel, optionally after Digits(individual_digits)")
        }
        let specials = file.addedTokens.map { (id: $0.id, content: $0.content) }
        let specialIDs = Set(specials.map(\.id))
        var tokenBytes = [[UInt8]?](repeating: nil, count: file.model.vocab.count)
        var idOfString: [String: Int] = [:]
        for (string, id) in file.model.vocab {
            guard tokenBytes.indices.contains(id), tokenBytes[id] == nil else {
                throw .malformedFile("vocabulary ids must be 0..<\(tokenBytes.count), each once; \(id) is not")
            }
            if specialIDs.contains(id) {
                tokenBytes[id] = Array(string.utf8)
                continue
            }
            guard let bytes = ByteLevelAlphabet.decode(string) else {
                throw .malformedFile("vocabulary entry \(string) is not written in the byte-level alphabet")
            }
            tokenBytes[id] = bytes
            idOfString[string] = id
        }
        var mergePairs: [(left: Int, right: Int)] = []
        for pair in file.model.merges {
            guard let left = idOfString[pair.left], let right = idOfString[pair.right] else {
                throw .malformedFile("merge \(pair.left) \(pair.right) names a token missing from the vocabulary")
            }
            mergePairs.append((left, right))
        }
        for special in specials where tokenBytes.indices.contains(special.id) {
            tokenBytes[special.id] = Array(special.content.utf8)
        }
        try self.init(preTokenizer: preTokenizer, tokenBytes: tokenBytes.map { $0 ?? [] },
                      specialTokens: specials, mergePairs: mergePairs)
    }
}
