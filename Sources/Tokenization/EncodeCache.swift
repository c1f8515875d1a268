import Synchronization

/// Token ids of pre-tokens already merged, shared by every copy of a tokenizer. Rows repeat the same words
/// ("red", " bar", " is"), so most pieces skip merging. A `Mutex` lets concurrent encoders share one cache.
final class EncodeCache: Sendable {
    /// Entries kept before the cache is cleared, bounding memory on unbounded input (~100k short words).
    private let capacity: Int
    private let storage = Mutex<[[UInt8]: [Int32]]>([:])

    /// A cache that holds at most `capacity` pieces.
    init(capacity: Int = 100_000) {
        self.capacity = capacity
    }

    /// The cached ids of `piece`, if any.
    func lookup(_ piece: [UInt8]) -> [Int32]? {
        storage.withLock { $0[piece] }
    }

    /// Remembers the ids of `piece`; clears everything first when full (simple, and refills with what is common).
    func store(_ piece: [UInt8], _ ids: [Int32]) {
        storage.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[piece] = ids
        }
    }
}
