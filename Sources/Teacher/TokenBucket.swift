/// A token bucket: `capacity` units, refilled continuously at `capacity` per `period`. The arithmetic behind the
/// teacher's requests-per-minute and tokens-per-minute limits, kept pure so every limiter (in-process or shared
/// through Redis) applies the same rule.
public struct TokenBucket: Sendable, Equatable {
    /// Most units the bucket holds (e.g. 500 requests).
    public let capacity: Double
    /// Refill rate, units per second.
    public let ratePerSecond: Double
    /// Units available at `updatedAt`.
    public private(set) var available: Double
    /// Seconds (any fixed origin) of the last update.
    public private(set) var updatedAt: Double

    /// A full bucket of `capacity` units refilled over `periodSeconds`.
    public init(capacity: Double, periodSeconds: Double, now: Double) {
        precondition(capacity > 0 && periodSeconds > 0, "a limit needs a positive capacity and period")
        self.capacity = capacity
        self.ratePerSecond = capacity / periodSeconds
        self.available = capacity
        self.updatedAt = now
    }

    /// Takes `units` if they are there now and returns 0; otherwise takes nothing and returns how many seconds to
    /// wait before they will be. A request larger than the whole bucket waits for a full bucket and then takes it.
    public mutating func take(_ units: Double, now: Double) -> Double {
        refill(now: now)
        let wanted = min(units, capacity)
        if available >= wanted {
            available -= wanted
            return 0
        }
        return (wanted - available) / ratePerSecond
    }

    /// Gives back units taken for an estimate that turned out too high (never above capacity).
    public mutating func giveBack(_ units: Double, now: Double) {
        refill(now: now)
        available = min(capacity, available + units)
    }

    private mutating func refill(now: Double) {
        if now > updatedAt {
            available = min(capacity, available + (now - updatedAt) * ratePerSecond)
            updatedAt = now
        }
    }
}

/// Additive-increase, multiplicative-decrease concurrency: halves the number of calls in flight on a 429, grows it
/// by one per window of successes, within `[1, maximum]`.
public struct AdaptiveConcurrency: Sendable, Equatable {
    /// The most calls in flight allowed.
    public let maximum: Int
    /// Calls in flight allowed now.
    public private(set) var limit: Int
    private var successes = 0

    /// Starts at `maximum`.
    public init(maximum: Int) {
        precondition(maximum >= 1, "concurrency must be at least 1")
        self.maximum = maximum
        self.limit = maximum
    }

    /// A call was rate limited: halve.
    public mutating func rateLimited() {
        limit = max(1, limit / 2)
        successes = 0
    }

    /// A call succeeded: after `limit` successes in a row, allow one more.
    public mutating func succeeded() {
        successes += 1
        if successes >= limit {
            limit = min(maximum, limit + 1)
            successes = 0
        }
    }
}
