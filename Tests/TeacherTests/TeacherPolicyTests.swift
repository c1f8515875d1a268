import Foundation
import Testing
import HTTP
import State
@testable import Teacher

@Test(arguments: [400, 401, 403, 404, 422])
func clientErrorsAreNeverRetried(status: Int) {
    let decision = RetryPolicy().decide(attempt: 1, status: status, retryAfter: nil, random: 0.5)
    guard case .giveUp(let reason) = decision else {
        Issue.record("HTTP \(status) was retried")
        return
    }
    #expect(reason.contains("\(status)"))
}

@Test func rateLimitsAndServerErrorsBackOffExponentiallyWithJitter() {
    let policy = RetryPolicy(maxAttempts: 5, baseDelay: .milliseconds(100), maxDelay: .seconds(1))
    #expect(policy.decide(attempt: 1, status: 500, retryAfter: nil, random: 0.5) == .retry(after: .milliseconds(50)))
    guard case .retry(let wait) = policy.decide(attempt: 3, status: 429, retryAfter: nil, random: 0.999) else {
        Issue.record("a 429 on attempt 3 of 5 must be retried")
        return
    }
    #expect(abs(wait / .milliseconds(1) - 399.6) < 0.01, "jitter scales the 400 ms ceiling")
    #expect(policy.decide(attempt: 4, status: nil, retryAfter: nil, random: 1) == .retry(after: .milliseconds(800)))
    if case .retry = policy.decide(attempt: 5, status: 503, retryAfter: nil, random: 0.5) {
        Issue.record("the fifth failure of five attempts must give up")
    }
}

@Test func retryAfterIsAFloorInSecondsOrAsADate() {
    let policy = RetryPolicy(baseDelay: .milliseconds(100))
    #expect(policy.decide(attempt: 1, status: 429, retryAfter: .seconds(3), random: 0.1) == .retry(after: .seconds(3)))
    let now = Date(timeIntervalSince1970: 1_700_000_000)
    let date = "Tue, 14 Nov 2023 22:13:30 GMT"  // 10 s after `now`
    #expect(HTTPResponse.parseRetryAfter(date, now: now) == .seconds(10))
    #expect(HTTPResponse.parseRetryAfter("2.5", now: now) == .milliseconds(2500))
    #expect(HTTPResponse.parseRetryAfter("soon", now: now) == nil)
}

@Test func tokenBucketRefillsAtItsRate() {
    var bucket = TokenBucket(capacity: 60, periodSeconds: 60, now: 0)  // 60 per minute: 1 per second
    #expect(bucket.take(60, now: 0) == 0)
    #expect(bucket.take(2, now: 0) == 2, "empty: two units take two seconds to come back")
    #expect(bucket.take(2, now: 2) == 0)
    #expect(bucket.take(1000, now: 2) == 60, "a request larger than the bucket waits for a full bucket")
    bucket.giveBack(500, now: 2)
    #expect(bucket.available == 60, "never above capacity")
}

@Test func concurrencyHalvesOnRateLimitsAndCreepsBack() {
    var concurrency = AdaptiveConcurrency(maximum: 32)
    concurrency.rateLimited()
    concurrency.rateLimited()
    #expect(concurrency.limit == 8)
    for _ in 0..<8 { concurrency.succeeded() }
    #expect(concurrency.limit == 9)
    for _ in 0..<10 { concurrency.rateLimited() }
    #expect(concurrency.limit == 1)
}

@Test func costsFollowThePriceList() {
    var meter = CostMeter()
    let prices = TokenPrices(promptPerMillion: 5, completionPerMillion: 15)
    meter.record(Usage(promptTokens: 1_000, completionTokens: 200), prices: prices)
    meter.record(Usage(promptTokens: 1_000, completionTokens: 200), prices: prices)
    #expect(abs(meter.dollars - 0.016) < 1e-12)
    #expect(meter.promptTokens == 2_000 && meter.calls == 2)
    #expect(meter.exceeds(budget: 0.01) && !meter.exceeds(budget: 1) && !meter.exceeds(budget: nil))
}

@Test func cacheKeysDependOnEverythingThatChangesTheAnswer() throws {
    func request(temperature: Double = 0, image: [UInt8] = [1, 2, 3], question: String = "How many?") -> ChatCompletionRequest {
        ChatCompletionRequest(model: "gpt-4o", messages: [
            ChatMessage(role: "system", content: [.text("Generate a rationale first.")]),
            ChatMessage(role: "user", content: [.text(question), .png(image)]),
        ], temperature: temperature, maxTokens: 512)
    }
    let base = try TeacherCacheKey.key(endpoint: "http://a/v1", request: request())
    #expect(try TeacherCacheKey.key(endpoint: "http://a/v1", request: request()) == base)
    #expect(try TeacherCacheKey.key(endpoint: "http://b/v1", request: request()) != base)
    #expect(try TeacherCacheKey.key(endpoint: "http://a/v1", request: request(temperature: 1)) != base)
    #expect(try TeacherCacheKey.key(endpoint: "http://a/v1", request: request(image: [1, 2, 4])) != base)
    #expect(try TeacherCacheKey.key(endpoint: "http://a/v1", request: request(question: "How many red?")) != base)
}

@Test func requestsEncodeInTheChatCompletionsShape() throws {
    let request = ChatCompletionRequest(model: "m", messages: [
        ChatMessage(role: "user", content: [.text("hi"), .imageURL("data:image/png;base64,AA==")]),
    ], temperature: 0.5, maxTokens: 64)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let json = String(decoding: try encoder.encode(request), as: UTF8.self)
    #expect(json == #"{"max_tokens":64,"messages":[{"content":[{"text":"hi","type":"text"},{"image_url":{"url":"data:image/png;base64,AA=="},"type":"image_url"}],"role":"user"}],"model":"m","temperature":0.5}"#)
    #expect(try JSONDecoder().decode(ChatCompletionRequest.self, from: Data(json.utf8)) == request)
    let response = try JSONDecoder().decode(ChatCompletionResponse.self, from: Data(#"""
    {"id":"x","choices":[{"index":0,"message":{"role":"assistant","content":"The bar is 7.\n### Answer: 7"},"finish_reason":"stop"}],"usage":{"prompt_tokens":812,"completion_tokens":14,"total_tokens":826}}
    """#.utf8))
    #expect(response.text == "The bar is 7.\n### Answer: 7")
    #expect(response.usage == Usage(promptTokens: 812, completionTokens: 14))
}

@Test func localLimiterHoldsCallsPastItsBudget() async throws {
    // Measured from before the limiter exists: its bucket refills from then on, however late this task resumes.
    let start = ContinuousClock.now
    let limiter = LocalRateLimiter(requestsPerMinute: 600, tokensPerMinute: 1_000_000)  // 10 requests a second
    for _ in 0..<601 { try await limiter.acquire(tokens: 10) }  // the full first minute's budget, and one more
    #expect(ContinuousClock.now - start >= .milliseconds(100), "the 601st request waits for a refill (0.1 s)")
}

@Test func localLimiterCountsTokensAndRefunds() async throws {
    let start = ContinuousClock.now
    let limiter = LocalRateLimiter(requestsPerMinute: 1_000, tokensPerMinute: 6_000)  // 100 tokens a second
    try await limiter.acquire(tokens: 6_000)
    await limiter.refund(tokens: 50)
    try await limiter.acquire(tokens: 50)  // covered by the refund
    try await limiter.acquire(tokens: 20)  // beyond the budget: needs 0.2 s of refill
    #expect(ContinuousClock.now - start >= .milliseconds(200))
}

@Test func sharedLimiterHoldsEveryProcessToOneBudget() async throws {
    let url = ProcessInfo.processInfo.environment["REASONER_REDIS_URL"] ?? "redis://127.0.0.1:6390/0"
    let configuration: RedisConfiguration
    do {
        configuration = try RedisConfiguration(url: url)
    } catch {
        Issue.record("bad REASONER_REDIS_URL \(url): \(error)")
        return
    }
    let name = "test-\(UUID().uuidString.prefix(8))"
    // Two "processes" (two connections) share 60,000 tokens a minute: 1,000 a second.
    let first = try RedisStateStore(configuration: configuration)
    let second = try RedisStateStore(configuration: configuration)
    defer { first.close(); second.close() }
    let a = SharedRateLimiter(store: first, name: name, requestsPerMinute: 10_000, tokensPerMinute: 60_000)
    let b = SharedRateLimiter(store: second, name: name, requestsPerMinute: 10_000, tokensPerMinute: 60_000)
    // Measured from before the first call: the grants happen on Redis's clock, and this task may resume late.
    let start = ContinuousClock.now
    try await a.acquire(tokens: 60_000)  // the first process spends the whole minute's budget
    try await b.acquire(tokens: 300)  // so the second's grant comes at least 300 tokens of refill (0.3 s) later
    #expect(ContinuousClock.now - start >= .milliseconds(295), "the budget is shared across processes")
    try await a.refund(tokens: 60_000)
    let level = try await first.fields(of: "reasoner:ratelimit:\(name):tokens")["available"].flatMap(Double.init)
    #expect((level ?? 0) >= 59_000, "a refund makes tokens available again at once")
}
