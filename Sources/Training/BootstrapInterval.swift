import ReasonerData

/// An accuracy with its 95% bootstrap confidence interval.
public struct AccuracyEstimate: Codable, Sendable, Equatable {
    /// Items scored.
    public var count: Int
    /// Correct items.
    public var correct: Int
    /// correct / count.
    public var accuracy: Double
    /// 2.5th percentile of the bootstrap accuracies.
    public var low: Double
    /// 97.5th percentile of the bootstrap accuracies.
    public var high: Double

    /// An estimate from its parts.
    public init(count: Int, correct: Int, accuracy: Double, low: Double, high: Double) {
        self.count = count
        self.correct = correct
        self.accuracy = accuracy
        self.low = low
        self.high = high
    }
}

/// Percentile bootstrap over items: resample the 0/1 outcomes with replacement, seeded, so the same results and seed
/// give the same interval.
public enum BootstrapInterval {
    /// The accuracy of `outcomes` and its 95% interval from `resamples` resamples.
    public static func estimate(_ outcomes: [Bool], resamples: Int = 1000, seed: UInt64) -> AccuracyEstimate {
        let correct = outcomes.filter { $0 }.count
        guard !outcomes.isEmpty else { return AccuracyEstimate(count: 0, correct: 0, accuracy: 0, low: 0, high: 0) }
        let n = outcomes.count
        var rng = SeededGenerator(seed: seed, stream: "bootstrap")
        var accuracies: [Double] = []
        accuracies.reserveCapacity(resamples)
        for _ in 0..<max(1, resamples) {
            var hits = 0
            for _ in 0..<n where outcomes[rng.below(n)] { hits += 1 }
            accuracies.append(Double(hits) / Double(n))
        }
        accuracies.sort()
        func percentile(_ p: Double) -> Double {
            accuracies[min(accuracies.count - 1, max(0, Int((p * Double(accuracies.count)).rounded(.down))))]
        }
        return AccuracyEstimate(count: n, correct: correct, accuracy: Double(correct) / Double(n),
                                low: percentile(0.025), high: percentile(0.975))
    }
}

/// A difference between two systems scored on the same items, with its 95% paired-bootstrap interval.
public struct DifferenceEstimate: Codable, Sendable, Equatable {
    /// Paired items.
    public var count: Int
    /// mean(b) − mean(a), the second system's gain.
    public var difference: Double
    /// 2.5th percentile of the resampled differences.
    public var low: Double
    /// 97.5th percentile.
    public var high: Double
}

extension BootstrapInterval {
    /// The paired difference `b − a` of per-item scores (0/1 or graded) on the same items, resampling items with
    /// replacement: the interval a comparison of two students on one test set needs (their errors are correlated by
    /// item, which unpaired intervals ignore). `a` and `b` must be in the same item order.
    public static func pairedDifference(_ a: [Double], _ b: [Double], resamples: Int = 2000,
                                        seed: UInt64) -> DifferenceEstimate {
        precondition(a.count == b.count, "paired scores need the same items")
        let n = a.count
        guard n > 0 else { return DifferenceEstimate(count: 0, difference: 0, low: 0, high: 0) }
        let deltas = zip(a, b).map { $1 - $0 }
        var rng = SeededGenerator(seed: seed, stream: "paired-bootstrap")
        var means: [Double] = []
        means.reserveCapacity(resamples)
        for _ in 0..<max(1, resamples) {
            var sum = 0.0
            for _ in 0..<n { sum += deltas[rng.below(n)] }
            means.append(sum / Double(n))
        }
        means.sort()
        func percentile(_ p: Double) -> Double {
            means[min(means.count - 1, max(0, Int((p * Double(means.count)).rounded(.down))))]
        }
        return DifferenceEstimate(count: n, difference: deltas.reduce(0, +) / Double(n),
                                  low: percentile(0.025), high: percentile(0.975))
    }
}
