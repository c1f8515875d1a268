import Foundation
import Tokenization

extension StudentCheckpoint {
    /// Saves a new student to `directory`: a byte-level BPE tokenizer trained on `corpus` (the run's text, so the
    /// model's vocabulary fits its data) and weights initialised from `seed` for the architecture `config` gives for
    /// that vocabulary. Returns the content hash. The start of a from-scratch run, and of tests that need a student.
    @discardableResult
    public static func createFresh(corpus: [String], vocabularySize: Int, seed: UInt64,
                                   config: (_ vocabularySize: Int) -> VLMConfig,
                                   preTokenizer: PreTokenizer = PreTokenizer(), to directory: URL) throws -> String {
        let tokenizer = try Tokenizer.train(corpus: corpus, vocabularySize: vocabularySize, preTokenizer: preTokenizer,
                                            minPairCount: 1)
        let model = try StudentVLM(config: config(tokenizer.vocabularySize), seed: seed)
        return try save(model, tokenizer: tokenizer, to: directory)
    }
}
