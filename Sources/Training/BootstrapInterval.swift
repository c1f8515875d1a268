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
