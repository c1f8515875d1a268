import Foundation

/// Client-side limits on teacher calls: requests per minute and tokens per minute. `acquire` waits until a call of
/// `tokens` (an estimate: prompt + max completion) fits under both; `refund` returns what the estimate overshot.
public protocol RateLimiter: Sendable {
    /// Waits until one request of about `tokens` tokens may be sent, and books it.
    func acquire(tokens: Int) async throws
    /// Returns `tokens` booked by an estimate that the call's real usage did not need.
    func refund(tokens: Int) async throws
}

/// Limits of one process. (Distillers on several hosts share theirs through Redis with the same bucket rule.)
public actor LocalRateLimiter: RateLimiter {
    private var requests: TokenBucket
    private var tokens: TokenBucket
    private let origin = ContinuousClock.now

    /// Limits of `requestsPerMinute` and `tokensPerMinute`.
    public init(requestsPerMinute: Int, tokensPerMinute: Int) {
        requests = TokenBucket(capacity: Double(requestsPerMinute), periodSeconds: 60, now: 0)
        tokens = TokenBucket(capacity: Double(tokensPerMinute), periodSeconds: 60, now: 0)
    }

    public func acquire(tokens wanted: Int) async throws {
        while true {
            let now = seconds()
            let requestWait = requests.take(1, now: now)
            if requestWait == 0 {
                let tokenWait = tokens.take(Double(wanted), now: now)
                if tokenWait == 0 { return }
                requests.giveBack(1, now: now)
                try await Task.sleep(for: .milliseconds(Int64(tokenWait * 1000) + 1))
            } else {
                try await Task.sleep(for: .milliseconds(Int64(requestWait * 1000) + 1))
            }
        }
    }

    public func refund(tokens unused: Int) {
        tokens.giveBack(Double(max(0, unused)), now: seconds())
    }

    private func seconds() -> Double {
        let elapsed = ContinuousClock.now - origin
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }
}
