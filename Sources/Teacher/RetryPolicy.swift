import Foundation

/// When and how long to wait before calling the teacher again.
///
/// Retried: 429 (rate limited), 408, 5xx, timeouts and connection errors, with exponential backoff and full jitter,
/// waiting at least what the server's `Retry-After` asks. Not retried: 400, 401, 403, 404, 422 and other 4xx — the
/// request itself is wrong, and repeating it would cost money for nothing.
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts in all, the first included.
    public var maxAttempts: Int
    /// Base of the exponential backoff.
    public var baseDelay: Duration
    /// Cap of one wait.
    public var maxDelay: Duration

    /// Makes a policy (defaults: 6 attempts, 0.5 s base, 60 s cap).
    public init(maxAttempts: Int = 6, baseDelay: Duration = .milliseconds(500), maxDelay: Duration = .seconds(60)) {
        precondition(maxAttempts >= 1, "at least one attempt")
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// What a failed attempt calls for.
    public enum Decision: Sendable, Equatable {
        /// Try again after this long.
        case retry(after: Duration)
        /// Give up with this reason.
        case giveUp(reason: String)
    }

    /// Whether an HTTP status is worth retrying.
    public static func isRetryable(status: Int) -> Bool {
        status == 429 || status == 408 || status == 409 || (500...599).contains(status)
    }

    /// The decision after attempt number `attempt` (1-based) failed with `status` (nil: no response at all — a
    /// timeout or connection error). `retryAfter` is what the response's `Retry-After` asked; `random` is in [0, 1).
    public func decide(attempt: Int, status: Int?, retryAfter: Duration?, random: Double) -> Decision {
        if let status, !Self.isRetryable(status: status) {
            return .giveUp(reason: "HTTP \(status) is not retryable: fix the request, the key or the model name")
        }
        guard attempt < maxAttempts else {
            return .giveUp(reason: "gave up after \(attempt) attempts (last: \(status.map { "HTTP \($0)" } ?? "no response"))")
        }
        let exponential = baseDelay * (1 << min(attempt - 1, 30))
        let ceiling = min(exponential, maxDelay)
        var wait = ceiling * random  // full jitter spreads many distillers apart
        if let retryAfter { wait = max(wait, retryAfter) }
        return .retry(after: wait)
    }
}
