/// Prices of a teacher model, in US dollars per million tokens (configurable: providers change them).
public struct TokenPrices: Codable, Sendable, Equatable {
    /// Dollars per million prompt tokens.
    public var promptPerMillion: Double
    /// Dollars per million completion tokens.
    public var completionPerMillion: Double

    enum CodingKeys: String, CodingKey {
        case promptPerMillion = "prompt_per_million"
        case completionPerMillion = "completion_per_million"
    }

    /// Makes a price list.
    public init(promptPerMillion: Double, completionPerMillion: Double) {
        self.promptPerMillion = promptPerMillion
        self.completionPerMillion = completionPerMillion
    }

    /// Free (a local server, or the offline teacher).
    public static let free = TokenPrices(promptPerMillion: 0, completionPerMillion: 0)

    /// The cost of one call's usage, in dollars.
    public func cost(of usage: Usage) -> Double {
        (Double(usage.promptTokens) * promptPerMillion + Double(usage.completionTokens) * completionPerMillion) / 1e6
    }
}

/// Running totals of teacher calls: what was paid for, what the cache saved, what failed.
public struct CostMeter: Sendable, Equatable, Codable {
    /// Calls answered by the server.
    public var calls = 0
    /// Calls answered from the cache (cost nothing).
    public var cacheHits = 0
    /// Prompt tokens paid for.
    public var promptTokens = 0
    /// Completion tokens paid for.
    public var completionTokens = 0
    /// Dollars spent.
    public var dollars = 0.0

    /// Nothing spent yet.
    public init() {}

    /// Records a paid call.
    public mutating func record(_ usage: Usage, prices: TokenPrices) {
        calls += 1
        promptTokens += usage.promptTokens
        completionTokens += usage.completionTokens
        dollars += prices.cost(of: usage)
    }

    /// Whether a budget (dollars) is spent.
    public func exceeds(budget: Double?) -> Bool {
        guard let budget else { return false }
        return dollars >= budget
    }
}
