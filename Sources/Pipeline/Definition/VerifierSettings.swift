import ReasonerData

/// The DPO reward as a verifier (the paper, section 5): chains sampled from the sampling mix's student on test items,
/// each scored by β·log(π_DPO/π_SFT), then best-of-N, reward-weighted voting and majority voting at each N.
public struct VerifierSettings: Codable, Sendable, Equatable {
    /// Whether the run measures the verifier (it needs DPO to have trained).
    public var enabled: Bool
    /// How the chains are drawn (`items_per_family` counts test items).
    public var sampling: SamplingSettings
    /// The numbers of chains the curves are measured at (each at most `sampling.chains_per_item`).
    public var ns: [Int]

    /// Settings: 32 chains at temperature 1 on the first 40 test items of each family, curves at 1, 2, 4, …, 32.
    public init(enabled: Bool = true,
                sampling: SamplingSettings = SamplingSettings(chainsPerItem: 32, itemsPerShard: 10, itemsPerFamily: 40),
                ns: [Int] = [1, 2, 4, 8, 16, 32]) {
        self.enabled = enabled
        self.sampling = sampling
        self.ns = ns
    }

    func validate() throws {
        try sampling.validate("verifier.sampling")
        guard !ns.isEmpty, ns.allSatisfy({ $0 >= 1 && $0 <= sampling.chainsPerItem }) else {
            throw PipelineDefinitionError.invalid("verifier.ns", "must list chain counts in 1...\(sampling.chainsPerItem)")
        }
    }
}
