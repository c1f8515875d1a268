extension Tokenizer {
    /// Trains a byte-level BPE tokenizer on `corpus`.
    ///
    /// Ids: the special tokens first, in the given order (so `<|pad|>` is 0 by default), then the 256 bytes in
    /// byte order, then one token per merge until `vocabularySize` is reached. Training stops early when no pair
    /// occurs at least `minPairCount` times, so the result may be smaller than asked. Each step merges the most
    /// frequent adjacent pair; ties go to the smaller (left id, right id), so the same corpus always gives the
    /// same tokenizer, whatever the order Swift's randomly seeded dictionaries iterate in.
    public static func train(
        corpus: some Sequence<String>,
        vocabularySize: Int,
        specialTokens: [String] = SpecialToken.allCases.map(\.rawValue),
        preTokenizer: PreTokenizer = PreTokenizer(),
        minPairCount: Int = 2
    ) throws(TokenizerError) -> Tokenizer {
        let base = specialTokens.count + 256
        guard vocabularySize >= base else { throw .vocabularyTooSmall(requested: vocabularySize, minimum: base) }
        guard Set(specialTokens).count == specialTokens.count, !specialTokens.contains("") else {
            throw .invalidSpecialTokens("\(specialTokens)")
        }
        var tokenBytes: [[UInt8]] = specialTokens.map { Array($0.utf8) }
        tokenBytes += (0..<256).map { [UInt8($0)] }
        var counter = PairCounter(corpus: corpus, preTokenizer: preTokenizer, firstByteID: Int32(specialTokens.count))
        var mergePairs: [(left: Int, right: Int)] = []
        while tokenBytes.count < vocabularySize, let pair = counter.mostFrequentPair(minimumCount: max(1, minPairCount)) {
            let newID = Int32(tokenBytes.count)
            tokenBytes.append(tokenBytes[Int(pair.left)] + tokenBytes[Int(pair.right)])
            mergePairs.append((Int(pair.left), Int(pair.right)))
            counter.merge(pair, into: newID)
        }
        return try Tokenizer(
            preTokenizer: preTokenizer, tokenBytes: tokenBytes,
            specialTokens: specialTokens.enumerated().map { ($0.offset, $0.element) }, mergePairs: mergePairs)
    }
}

/// Counts of adjacent token pairs over the corpus's distinct pre-tokens, updated incrementally after each merge
/// (only words holding the merged pair are rewritten), with a heap to find the next pair.
struct PairCounter {
    /// Distinct pre-tokens as current token ids, sorted by bytes for a deterministic layout.
    private var words: [[Int32]]
    /// How often each word occurs in the corpus.
    private var wordCounts: [Int]
    /// Corpus count of each adjacent pair.
    private var pairCounts: [UInt64: Int] = [:]
    /// Words where each pair has occurred (may hold stale or repeated indices; checked when used).
    private var pairWords: [UInt64: [Int32]] = [:]
    private var heap = PairHeap()
    /// Per-word marker of the merge step that last visited it, to skip repeated indices.
    private var visited: [Int]
    private var step = 0

    init(corpus: some Sequence<String>, preTokenizer: PreTokenizer, firstByteID: Int32) {
        var counts: [[UInt8]: Int] = [:]
        for row in corpus {
            var row = row
            row.withUTF8 { utf8 in
                preTokenizer.split(utf8) { range in
                    counts[Array(UnsafeBufferPointer(rebasing: utf8[range])), default: 0] += 1
                }
            }
        }
        let sorted = counts.sorted { $0.key.lexicographicallyPrecedes($1.key) }
        words = sorted.map { $0.key.map { Int32($0) + firstByteID } }
        wordCounts = sorted.map(\.value)
        visited = [Int](repeating: -1, count: words.count)
        for (index, word) in words.enumerated() where word.count > 1 {
            for k in 0..<(word.count - 1) {
                let key = Tokenizer.pairKey(word[k], word[k + 1])
                pairCounts[key, default: 0] += wordCounts[index]
                pairWords[key, default: []].append(Int32(index))
            }
        }
        for (pair, count) in pairCounts { heap.push(.init(count: count, pair: pair)) }
    }

    /// The most frequent pair (ties: smallest ids) occurring at least `minimumCount` times, or nil.
    mutating func mostFrequentPair(minimumCount: Int) -> (left: Int32, right: Int32)? {
        while let entry = heap.pop() {
            guard pairCounts[entry.pair] == entry.count else { continue }  // stale: a newer entry exists
            guard entry.count >= minimumCount else { return nil }
            return (Int32(truncatingIfNeeded: entry.pair >> 32), Int32(truncatingIfNeeded: entry.pair & 0xFFFF_FFFF))
        }
        return nil
    }

    /// Replaces every occurrence of `pair` by `newID` (left to right, non-overlapping) and updates the counts.
    mutating func merge(_ pair: (left: Int32, right: Int32), into newID: Int32) {
        step += 1
        let key = Tokenizer.pairKey(pair.left, pair.right)
        var changed: Set<UInt64> = []
        for wordIndex in pairWords.removeValue(forKey: key) ?? [] {
            let index = Int(wordIndex)
            guard visited[index] != step else { continue }
            visited[index] = step
            let word = words[index]
            var merged: [Int32] = []
            merged.reserveCapacity(word.count)
            var k = 0
            while k < word.count {
                if k + 1 < word.count, word[k] == pair.left, word[k + 1] == pair.right {
                    merged.append(newID)
                    k += 2
                } else {
                    merged.append(word[k])
                    k += 1
                }
            }
            guard merged.count != word.count else { continue }  // stale index: pair no longer in this word
            let count = wordCounts[index]
            for k in 0..<(word.count - 1) {
                let old = Tokenizer.pairKey(word[k], word[k + 1])
                pairCounts[old, default: 0] -= count
                changed.insert(old)
            }
            for k in 0..<max(0, merged.count - 1) {
                let new = Tokenizer.pairKey(merged[k], merged[k + 1])
                pairCounts[new, default: 0] += count
                changed.insert(new)
                if merged[k] == newID || merged[k + 1] == newID { pairWords[new, default: []].append(wordIndex) }
            }
            words[index] = merged
        }
        for pairKey in changed.sorted() {
            let count = pairCounts[pairKey] ?? 0
            if count <= 0 {
                pairCounts[pairKey] = nil
            } else {
                heap.push(.init(count: count, pair: pairKey))
            }
        }
    }
}
