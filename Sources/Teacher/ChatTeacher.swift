import Foundation
import HTTP
import Synchronization

/// What a teacher call came to. Every call ends in one of these: a failure is an outcome, never an error that
/// fails the batch.
public enum TeacherReply: Sendable, Equatable {
    /// The teacher answered (now, or from the cache).
    case answered(text: String, usage: Usage?, cached: Bool)
    /// The call failed for good; the reason says why (and whether retrying later could help).
    case failed(reason: String)
}

/// A teacher behind an OpenAI-compatible chat-completions endpoint: many calls in flight over one libcurl multi
/// handle, retries with backoff and jitter on 429, 5xx, timeouts and broken connections (honouring `Retry-After`),
/// no retry on other 4xx, client-side rate limits, concurrency that halves on 429s, a content-addressed cache, and
/// token and cost accounting.
public final class ChatTeacher: Sendable {
    /// The endpoint.
    public let endpoint: TeacherEndpoint
    private let http: HTTPClient
    private let limiter: (any RateLimiter)?
    private let cache: TeacherCache?
    private let retry: RetryPolicy
    private let state: Mutex<State>

    private struct State {
        var meter = CostMeter()
        var concurrency: AdaptiveConcurrency
        var inFlight = 0
        var waiting: [CheckedContinuation<Void, Never>] = []
        var random = SystemRandomNumberGenerator()
    }

    /// A teacher sending at most `maxConcurrency` calls at once through `http`.
    public init(endpoint: TeacherEndpoint, http: HTTPClient, maxConcurrency: Int = 32, limiter: (any RateLimiter)? = nil,
                cache: TeacherCache? = nil, retry: RetryPolicy = RetryPolicy()) {
        self.endpoint = endpoint
        self.http = http
        self.limiter = limiter
        self.cache = cache
        self.retry = retry
        self.state = Mutex(State(concurrency: AdaptiveConcurrency(maximum: maxConcurrency)))
    }

    /// Tokens paid for, cache hits and dollars so far.
    public var meter: CostMeter { state.withLock { $0.meter } }

    /// Calls in flight allowed now (lower after rate limiting).
    public var concurrencyLimit: Int { state.withLock { $0.concurrency.limit } }

    /// Asks the teacher: system prompt, then a user turn with the instruction and (optionally) a PNG image.
    public func ask(system: String, instruction: String, imagePNG: [UInt8]?) async -> TeacherReply {
        var parts: [ContentPart] = [.text(instruction)]
        if let imagePNG { parts.append(.png(imagePNG)) }
        let request = ChatCompletionRequest(model: endpoint.model, messages: [
            ChatMessage(role: "system", content: [.text(system)]),
            ChatMessage(role: "user", content: parts),
        ], temperature: endpoint.temperature, maxTokens: endpoint.maxTokens)
        return await complete(request)
    }

    /// Sends one request (with retries), or answers it from the cache.
    public func complete(_ request: ChatCompletionRequest) async -> TeacherReply {
        let body: [UInt8]
        let key: String
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.withoutEscapingSlashes]
            body = Array(try encoder.encode(request))
            key = try TeacherCacheKey.key(endpoint: endpoint.completionsURL, request: request)
        } catch {
            return .failed(reason: "cannot encode the request: \(error)")
        }
        if let cached = cache?.lookup(key) {
            state.withLock { $0.meter.cacheHits += 1 }
            return .answered(text: cached.text, usage: cached.usage, cached: true)
        }
        var headers: HTTPHeaders = [:]
        if let apiKey = endpoint.apiKey { headers.add(name: "Authorization", value: "Bearer \(apiKey)") }
        let httpRequest = HTTPRequest.postJSON(url: endpoint.completionsURL, body: body, headers: headers,
                                               timeout: endpoint.timeout)
        let estimate = body.count / 4 + request.maxTokens  // ~4 bytes a token; images are billed separately
        var attempt = 0
        while true {
            attempt += 1
            let outcome = await send(httpRequest, estimate: estimate)
            switch outcome {
            case .success(let response):
                if let usage = response.usage { try? await limiter?.refund(tokens: estimate - usage.promptTokens - usage.completionTokens) }
                guard let text = response.text else {
                    return .failed(reason: "the teacher returned no text (finish reason "
                                   + "\(response.choices.first?.finishReason ?? "none"))")
                }
                state.withLock {
                    $0.meter.record(response.usage ?? Usage(promptTokens: 0, completionTokens: 0), prices: endpoint.prices)
                }
                try? cache?.store(TeacherCache.Entry(text: text, usage: response.usage), key: key)
                return .answered(text: text, usage: response.usage, cached: false)
            case .failure(let failure):
                let random = state.withLock { Double.random(in: 0..<1, using: &$0.random) }
                switch retry.decide(attempt: attempt, status: failure.status, retryAfter: failure.retryAfter,
                                    random: random) {
                case .retry(let wait):
                    try? await Task.sleep(for: wait)
                case .giveUp(let reason):
                    return .failed(reason: "\(failure.message); \(reason)")
                }
            }
        }
    }

    private struct CallFailure: Error {
        var status: Int?
        var retryAfter: Duration?
        var message: String
    }

    /// One HTTP exchange under the rate limits and the adaptive concurrency limit.
    private func send(_ request: HTTPRequest, estimate: Int) async -> Result<ChatCompletionResponse, CallFailure> {
        do {
            try await limiter?.acquire(tokens: estimate)
        } catch {
            return .failure(CallFailure(status: nil, retryAfter: nil, message: "rate limiter unavailable: \(error)"))
        }
        await enter()
        defer { leave() }
        let response: HTTPResponse
        do {
            response = try await http.send(request)
        } catch {
            return .failure(CallFailure(status: nil, retryAfter: nil, message: "\(error)"))
        }
        guard response.isSuccess else {
            if response.status == 429 { state.withLock { $0.concurrency.rateLimited() } }
            let excerpt = String(response.bodyText.prefix(200))
            return .failure(CallFailure(status: response.status, retryAfter: response.retryAfter,
                                        message: "HTTP \(response.status) from the teacher: \(excerpt)"))
        }
        state.withLock { $0.concurrency.succeeded() }
        do {
            return .success(try response.decodeJSON(ChatCompletionResponse.self))
        } catch {
            // A 200 whose body is not a chat completion: a proxy or server fault, worth another try.
            return .failure(CallFailure(status: 502, retryAfter: nil,
                                        message: "the teacher's response is not a chat completion (\(error))"))
        }
    }

    private func enter() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let admitted = state.withLock { state -> Bool in
                if state.inFlight < state.concurrency.limit {
                    state.inFlight += 1
                    return true
                }
                state.waiting.append(continuation)
                return false
            }
            if admitted { continuation.resume() }
        }
    }

    private func leave() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if !state.waiting.isEmpty, state.inFlight <= state.concurrency.limit {
                return state.waiting.removeFirst()  // the slot passes straight to the next caller
            }
            state.inFlight -= 1
            return nil
        }
        next?.resume()
    }
}
