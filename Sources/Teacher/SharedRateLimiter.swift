import State

/// Rate limits shared by every distiller process through Redis: the same token-bucket rule as ``TokenBucket``, kept
/// in two Redis hashes and updated atomically by a Lua script on the server's clock, so processes on many hosts
/// together stay under the provider's requests-per-minute and tokens-per-minute limits.
public struct SharedRateLimiter: RateLimiter {
    private let store: RedisStateStore
    private let requestsKey: String
    private let tokensKey: String
    private let requestsPerMinute: Int
    private let tokensPerMinute: Int

    /// KEYS[1] requests bucket, KEYS[2] tokens bucket; ARGV[1] requests/min, ARGV[2] tokens/min, ARGV[3] tokens
    /// wanted (negative: a refund). Returns 0 when granted (both taken), else the milliseconds to wait.
    static let script = RedisScript(source: """
    local now_parts = redis.call('TIME')
    local now = tonumber(now_parts[1]) * 1000 + math.floor(tonumber(now_parts[2]) / 1000)
    local function level(key, capacity)
      local available = tonumber(redis.call('HGET', key, 'available') or capacity)
      local updated = tonumber(redis.call('HGET', key, 'updated_ms') or now)
      if now > updated then available = math.min(capacity, available + (now - updated) * capacity / 60000) end
      return available
    end
    local request_capacity, token_capacity = tonumber(ARGV[1]), tonumber(ARGV[2])
    local wanted = tonumber(ARGV[3])
    local requests, tokens = level(KEYS[1], request_capacity), level(KEYS[2], token_capacity)
    if wanted < 0 then
      redis.call('HSET', KEYS[2], 'available', math.min(token_capacity, tokens - wanted), 'updated_ms', now)
      redis.call('PEXPIRE', KEYS[2], 120000)
      return 0
    end
    wanted = math.min(wanted, token_capacity)
    local wait = 0
    if requests < 1 then wait = math.max(wait, (1 - requests) * 60000 / request_capacity) end
    if tokens < wanted then wait = math.max(wait, (wanted - tokens) * 60000 / token_capacity) end
    if wait == 0 then
      requests = requests - 1
      tokens = tokens - wanted
    end
    redis.call('HSET', KEYS[1], 'available', requests, 'updated_ms', now)
    redis.call('HSET', KEYS[2], 'available', tokens, 'updated_ms', now)
    redis.call('PEXPIRE', KEYS[1], 120000)
    redis.call('PEXPIRE', KEYS[2], 120000)
    return math.ceil(wait)
    """)

    /// Limits named `name` (e.g. the endpoint and model) on a shared Redis.
    public init(store: RedisStateStore, name: String, requestsPerMinute: Int, tokensPerMinute: Int) {
        precondition(requestsPerMinute > 0 && tokensPerMinute > 0, "limits must be positive")
        self.store = store
        self.requestsKey = "reasoner:ratelimit:\(name):requests"
        self.tokensKey = "reasoner:ratelimit:\(name):tokens"
        self.requestsPerMinute = requestsPerMinute
        self.tokensPerMinute = tokensPerMinute
    }

    public func acquire(tokens: Int) async throws {
        while true {
            let wait = try await run(wanted: max(0, tokens))
            if wait == 0 { return }
            try await Task.sleep(for: .milliseconds(wait))
        }
    }

    public func refund(tokens: Int) async throws {
        guard tokens > 0 else { return }
        _ = try await run(wanted: -tokens)
    }

    private func run(wanted: Int) async throws -> Int64 {
        let reply = try await store.evaluate(Self.script, keys: [requestsKey, tokensKey],
                                             arguments: [String(requestsPerMinute), String(tokensPerMinute), String(wanted)])
        guard let wait = reply.integer else { throw StateError.unavailable("the rate-limit script answered \(reply)") }
        return wait
    }
}
