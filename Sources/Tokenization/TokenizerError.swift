/// Why a tokenizer could not be trained, loaded, or used.
public enum TokenizerError: Error, Equatable, CustomStringConvertible {
    /// The requested vocabulary cannot even hold the special tokens and the 256 byte tokens.
    case vocabularyTooSmall(requested: Int, minimum: Int)
    /// A special token was listed twice or is empty.
    case invalidSpecialTokens(String)
    /// The tokenizer file is not valid JSON of the expected schema.
    case malformedFile(String)
    /// The tokenizer file uses a feature this tokenizer does not implement.
    case unsupportedFile(String)
    /// A token id is outside the vocabulary.
    case unknownTokenID(Int, vocabularySize: Int)
    /// A special token the chat template needs is not in the vocabulary.
    case missingSpecialToken(String)

    /// What went wrong and what to do about it.
    public var description: String {
        switch self {
        case let .vocabularyTooSmall(requested, minimum):
            "vocabulary size \(requested) is too small: it must be at least \(minimum) (special tokens + 256 bytes); ask for a larger size"
        case let .invalidSpecialTokens(detail):
            "invalid special tokens: \(detail); give each special token once, as a non-empty string"
        case let .malformedFile(detail):
            "malformed tokenizer file: \(detail); re-save it with Tokenizer.save(to:) or check it is a tokenizer.json"
        case let .unsupportedFile(detail):
            "unsupported tokenizer file: \(detail); only byte-level BPE files as written by Tokenizer.save(to:) are read"
        case let .unknownTokenID(id, size):
            "token id \(id) is outside the vocabulary (0..<\(size)); check the model's vocabulary size matches the tokenizer"
        case let .missingSpecialToken(content):
            "the tokenizer has no special token \(content); train it with SpecialToken.allCases (the default)"
        }
    }
}
