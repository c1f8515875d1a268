import Foundation

/// The saved form of a tokenizer: the layout of HuggingFace `tokenizers`' `tokenizer.json` for a byte-level BPE
/// (model.type "BPE", `vocab` of GPT-2 byte-alphabet strings to ids, `merges` as string pairs, `added_tokens` for
/// the specials, pre-tokenizer `Sequence[Digits(individual_digits), ByteLevel]`, decoder `ByteLevel`), so
/// `tokenizers.Tokenizer.from_file` reads it and encodes plain text identically.
/// Fields this tokenizer has no use for (truncation, padding, normalizer, post_processor) are written as null.
struct TokenizerFile: Codable {
    /// One special token in `added_tokens`.
    struct AddedToken: Codable {
        var id: Int
        var content: String
        var singleWord = false
        var lstrip = false
        var rstrip = false
        var normalized = false
        var special = true

        enum CodingKeys: String, CodingKey {
            case id, content, lstrip, rstrip, normalized, special
            case singleWord = "single_word"
        }
    }

    /// A pre-tokenizer or decoder entry; only the fields of the kinds written here.
    struct Component: Codable, Equatable {
        var type: String
        var pretokenizers: [Component]?
        var individualDigits: Bool?
        var addPrefixSpace: Bool?
        var trimOffsets: Bool?
        var useRegex: Bool?

        enum CodingKeys: String, CodingKey {
            case type, pretokenizers
            case individualDigits = "individual_digits"
            case addPrefixSpace = "add_prefix_space"
            case trimOffsets = "trim_offsets"
            case useRegex = "use_regex"
        }

        /// The ByteLevel step without a prefix space, as both pre-tokenizer and decoder.
        static let byteLevel = Component(type: "ByteLevel", addPrefixSpace: false, trimOffsets: true, useRegex: true)
    }

    /// A merge; written as a pair of strings, read from a pair or from the older "left right" form.
    struct MergePair: Codable {
        var left: String
        var right: String

        init(left: String, right: String) {
            self.left = left
            self.right = right
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let pair = try? container.decode([String].self), pair.count == 2 {
                (left, right) = (pair[0], pair[1])
            } else {
                let parts = try container.decode(String.self).split(separator: " ", omittingEmptySubsequences: false)
                guard parts.count == 2 else {
                    throw DecodingError.dataCorruptedError(in: container, debugDescription: "a merge is two tokens")
                }
                (left, right) = (String(parts[0]), String(parts[1]))
            }
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode([left, right])
        }
    }

    /// The BPE model section.
    struct Model: Codable {
        var type = "BPE"
        var byteFallback: Bool? = false
        var continuingSubwordPrefix: String?
        var endOfWordSuffix: String?
        var vocab: [String: Int]
        var merges: [MergePair]

        enum CodingKeys: String, CodingKey {
            case type, vocab, merges, dropout
            case byteFallback = "byte_fallback"
            case continuingSubwordPrefix = "continuing_subword_prefix"
            case endOfWordSuffix = "end_of_word_suffix"
            case unkToken = "unk_token"
            case fuseUnk = "fuse_unk"
            case ignoreMerges = "ignore_merges"
        }

        init(vocab: [String: Int], merges: [MergePair]) {
            self.vocab = vocab
            self.merges = merges
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            type = try container.decode(String.self, forKey: .type)
            byteFallback = try container.decodeIfPresent(Bool.self, forKey: .byteFallback)
            continuingSubwordPrefix = try container.decodeIfPresent(String.self, forKey: .continuingSubwordPrefix)
            endOfWordSuffix = try container.decodeIfPresent(String.self, forKey: .endOfWordSuffix)
            vocab = try container.decode([String: Int].self, forKey: .vocab)
            merges = try container.decode([MergePair].self, forKey: .merges)
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(type, forKey: .type)
            try container.encodeNil(forKey: .dropout)
            try container.encodeNil(forKey: .unkToken)
            try container.encodeNil(forKey: .continuingSubwordPrefix)
            try container.encodeNil(forKey: .endOfWordSuffix)
            try container.encode(false, forKey: .fuseUnk)
            try container.encode(false, forKey: .byteFallback)
            try container.encode(false, forKey: .ignoreMerges)
            try container.encode(vocab, forKey: .vocab)
            try container.encode(merges, forKey: .merges)
        }
    }

    var version = "1.0"
    var addedTokens: [AddedToken]
    var normalizer: Component?
    var preTokenizer: Component
    var decoder: Component?
    var model: Model

    enum CodingKeys: String, CodingKey {
        case version, truncation, padding, normalizer, decoder, model
        case addedTokens = "added_tokens"
        case preTokenizer = "pre_tokenizer"
        case postProcessor = "post_processor"
    }

    init(addedTokens: [AddedToken], preTokenizer: Component, model: Model) {
        self.addedTokens = addedTokens
        self.preTokenizer = preTokenizer
        self.decoder = .byteLevel
        self.model = model
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        version = try container.decodeIfPresent(String.self, forKey: .version) ?? "1.0"
        addedTokens = try container.decodeIfPresent([AddedToken].self, forKey: .addedTokens) ?? []
        normalizer = try container.decodeIfPresent(Component.self, forKey: .normalizer)
        preTokenizer = try container.decode(Component.self, forKey: .preTokenizer)
        self.decoder = try container.decodeIfPresent(Component.self, forKey: .decoder)
        model = try container.decode(Model.self, forKey: .model)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(version, forKey: .version)
        try container.encodeNil(forKey: .truncation)
        try container.encodeNil(forKey: .padding)
        try container.encode(addedTokens, forKey: .addedTokens)
        try container.encodeNil(forKey: .normalizer)
        try container.encode(preTokenizer, forKey: .preTokenizer)
        try container.encodeNil(forKey: .postProcessor)
        try container.encode(decoder, forKey: .decoder)
        try container.encode(model, forKey: .model)
    }
}

extension TokenizerFile.Component {
    /// The file form of a pre-tokenizer.
    init(_ preTokenizer: PreTokenizer) {
        if preTokenizer.splitDigits {
            self.init(type: "Sequence", pretokenizers: [
                .init(type: "Digits", individualDigits: true), .byteLevel,
            ])
        } else {
            self = .byteLevel
        }
    }

    /// The pre-tokenizer this entry describes, or nil when it is not one this tokenizer implements.
    var preTokenizer: PreTokenizer? {
        if type == "ByteLevel", addPrefixSpace != true, useRegex != false { return PreTokenizer(splitDigits: false) }
        if type == "Sequence", let steps = pretokenizers, steps.count == 2, steps[0].type == "Digits",
           steps[0].individualDigits == true, steps[1].preTokenizer == PreTokenizer(splitDigits: false) {
            return PreTokenizer(splitDigits: true)
        }
        return nil
    }
}
