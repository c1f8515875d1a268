/// A max-heap of (count, pair) candidates for the trainer. Order: higher count first, then the smaller pair key
/// (left id, then right id), which makes training deterministic however the pairs were counted.
/// Entries go stale when a count changes; the trainer pushes the new count and skips stale entries on pop.
struct PairHeap {
    /// A candidate merge and its count when pushed.
    struct Entry {
        var count: Int
        var pair: UInt64
    }

    private var entries: [Entry] = []

    /// Whether `a` should pop before `b`.
    @inline(__always)
    private static func before(_ a: Entry, _ b: Entry) -> Bool {
        a.count != b.count ? a.count > b.count : a.pair < b.pair
    }

    /// Adds a candidate.
    mutating func push(_ entry: Entry) {
        entries.append(entry)
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.before(entries[child], entries[parent]) else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the first candidate, or nil when empty.
    mutating func pop() -> Entry? {
        guard let top = entries.first else { return nil }
        let last = entries.removeLast()
        if !entries.isEmpty {
            entries[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1
                let right = left + 1
                var first = parent
                if left < entries.count, Self.before(entries[left], entries[first]) { first = left }
                if right < entries.count, Self.before(entries[right], entries[first]) { first = right }
                if first == parent { break }
                entries.swapAt(parent, first)
                parent = first
            }
        }
        return top
    }
}
