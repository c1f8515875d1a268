import ReasonerData

/// Which examples each micro-batch holds: a pure function of (lengths, batch size, window, seed, index), so a
/// resumed run draws exactly the batches an unbroken one would.
///
/// Each epoch is a seeded shuffle of all examples; consecutive windows of `window` micro-batches are sorted by
/// length and cut into micro-batches (little padding), and the micro-batches of a window are shuffled again so
/// lengths do not trend within an epoch. The last, partial micro-batch of an epoch is dropped.
public struct BatchSchedule: Sendable {
    /// Token count of each example (what bucketing sorts by).
    public let lengths: [Int]
    /// Examples per micro-batch.
    public let batchSize: Int
    /// Micro-batches sorted together.
    public let window: Int
    /// Seed of the shuffles.
    public let seed: UInt64

    /// A schedule; `batchSize` is capped at the number of examples.
    public init(lengths: [Int], batchSize: Int, window: Int, seed: UInt64) {
        self.lengths = lengths
        self.batchSize = max(1, min(batchSize, lengths.count))
        self.window = max(1, window)
        self.seed = seed
    }

    /// Whole micro-batches in one epoch.
    public var batchesPerEpoch: Int { lengths.count / batchSize }

    /// The micro-batches of epoch `epoch`, as example indices.
    public func epoch(_ epoch: Int) -> [[Int]] {
        var rng = SeededGenerator(seed: seed, stream: "epoch-\(epoch)")
        var order = Array(lengths.indices)
        rng.shuffle(&order)
        order = Array(order.prefix(batchesPerEpoch * batchSize))
        var batches: [[Int]] = []
        let span = batchSize * window
        for start in stride(from: 0, to: order.count, by: span) {
            let sorted = order[start..<min(order.count, start + span)].sorted {
                (lengths[$0], $0) < (lengths[$1], $1)
            }
            var chunk = stride(from: 0, to: sorted.count, by: batchSize).map {
                Array(sorted[$0..<min(sorted.count, $0 + batchSize)])
            }
            rng.shuffle(&chunk)
            batches += chunk
        }
        return batches
    }
}
