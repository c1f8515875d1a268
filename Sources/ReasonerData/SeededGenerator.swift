/// A small seeded random number generator (SplitMix64) with its own bounded sampling.
///
/// Swift's `random(in:using:)` algorithms are not promised stable across toolchains, so everything the suite draws
/// goes through `below(_:)`, `int(in:)`, `chance(_:)`, `pick(_:)` and `shuffle(_:)` here: the same seed gives the same
/// bytes on every machine and compiler version.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Starts a stream from a seed.
    public init(seed: UInt64) {
        state = seed
    }

    /// Starts an independent stream for a named purpose (a family, a split, an item id) under one seed.
    public init(seed: UInt64, stream: String) {
        state = seed ^ StableHash.fnv1a(stream)
        _ = next()
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in `0..<bound` (bound > 0), by multiply-shift; the bias is below 2^-50 for our bounds.
    public mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0, "below(_:) needs a positive bound")
        return Int(next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    /// A uniform integer in a closed range.
    public mutating func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.upperBound - range.lowerBound + 1)
    }

    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool {
        Double(next() >> 11) / Double(1 << 53) < p
    }

    /// A uniformly chosen element of a non-empty collection.
    public mutating func pick<C: RandomAccessCollection>(_ items: C) -> C.Element where C.Index == Int {
        items[items.startIndex + below(items.count)]
    }

    /// Fisher–Yates shuffle, stable across toolchains.
    public mutating func shuffle<T>(_ items: inout [T]) {
        guard items.count > 1 else { return }
        for i in stride(from: items.count - 1, to: 0, by: -1) {
            items.swapAt(i, below(i + 1))
        }
    }

    /// `count` distinct elements in random order.
    public mutating func sample<T>(_ items: [T], count: Int) -> [T] {
        var copy = items
        shuffle(&copy)
        return Array(copy.prefix(count))
    }
}

/// A hash that is the same in every process (Swift's `Hasher` is seeded per process, so it cannot name streams).
public enum StableHash {
    /// 64-bit FNV-1a over the UTF-8 bytes.
    public static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        return hash
    }
}
