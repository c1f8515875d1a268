import Foundation

/// The fleet's state store on Redis: records are hashes, sets are sets, streams are Redis streams, and leases and
/// complete-once run as Lua scripts (``RedisStateScripts``), so each is atomic however many workers race.
///
/// Commands go through one connection on its own thread; `follow` (a blocking `XREAD`) uses a second one so that a
/// follower never holds up the others. Operations that are safe to repeat (reads, `HSET`, lease renewal,
/// complete-once — idempotent by its done-mark) are retried once over a fresh connection if the connection broke;
/// the others (counters, stream appends) report the failure, since they might have been applied.
public final class RedisStateStore: StateStore {
    private let commands: RedisLane
    private let followers: RedisLane
    private let longestFollowMilliseconds: Int

    private static let acquire = RedisScript(source: RedisStateScripts.acquireLease)
    private static let renew = RedisScript(source: RedisStateScripts.renewLease)
    private static let release = RedisScript(source: RedisStateScripts.releaseLease)
    private static let complete = RedisScript(source: RedisStateScripts.completeOnce)

    /// Connects to Redis (two connections: commands and followers).
    public init(configuration: RedisConfiguration) throws {
        commands = try RedisLane(configuration: configuration, label: "commands")
        var following = configuration
        following.commandTimeout = configuration.commandTimeout + .seconds(30)
        followers = try RedisLane(configuration: following, label: "followers")
        longestFollowMilliseconds = 30_000
    }

    /// Closes both connections.
    public func close() {
        commands.close()
        followers.close()
    }

    // MARK: Records, counters, sets

    public func setFields(_ fields: [String: String], of key: String) async throws {
        guard !fields.isEmpty else { return }
        let words: [any RedisArgument] = ["HSET", key] + fields.sorted { $0.key < $1.key }.flatMap { [$0.key, $0.value] }
        _ = try await commands.run { try $0.command(words, retry: .reconnectOnceIfIdempotent) }
    }

    public func fields(of key: String) async throws -> [String: String] {
        let reply = try await commands.run { try $0.command("HGETALL", key, retry: .reconnectOnceIfIdempotent) }
        return try Self.dictionary(try reply.requireArray())
    }

    public func increment(_ field: String, of key: String, by delta: Int) async throws -> Int {
        do {
            let reply = try await commands.run(idempotent: false) { try $0.command("HINCRBY", key, field, delta) }
            return Int(try reply.requireInteger())
        } catch StateError.refused(let message) where message.contains("not an integer") {
            let current = try await fields(of: key)[field] ?? ""
            throw StateError.notANumber(key: key, field: field, value: current)
        }
    }

    public func existingKeys(_ keys: [String]) async throws -> Set<String> {
        guard !keys.isEmpty else { return [] }
        let commands: [[any RedisArgument]] = keys.map { ["EXISTS", $0] }
        let replies = try await self.commands.run { try $0.pipeline(commands, retry: .reconnectOnceIfIdempotent) }
        return Set(try zip(keys, replies).compactMap { key, reply in try reply.requireInteger() > 0 ? key : nil })
    }

    public func addMembers(_ members: [String], to key: String) async throws -> Int {
        guard !members.isEmpty else { return 0 }
        let words: [any RedisArgument] = ["SADD", key] + members
        let reply = try await commands.run { try $0.command(words, retry: .reconnectOnceIfIdempotent) }
        return Int(try reply.requireInteger())
    }

    public func members(of key: String) async throws -> [String] {
        let reply = try await commands.run { try $0.command("SMEMBERS", key, retry: .reconnectOnceIfIdempotent) }
        return try reply.requireArray().compactMap(\.string).sorted()
    }

    // MARK: Leases

    public func acquireLease(_ name: String, holder: String, ttlMilliseconds: Int) async throws -> Lease? {
        let reply = try await commands.run(idempotent: false) {
            try $0.evaluate(Self.acquire, keys: [name, name + ":fencing"], arguments: [holder, ttlMilliseconds])
        }
        guard let token = reply.integer else { return nil }
        return Lease(name: name, holder: holder, token: Int(token))
    }

    public func renewLease(_ lease: Lease, ttlMilliseconds: Int) async throws -> Bool {
        let reply = try await commands.run {
            try $0.evaluate(Self.renew, keys: [lease.name], arguments: [lease.holder, lease.token, ttlMilliseconds],
                            retry: .reconnectOnceIfIdempotent)
        }
        return reply.integer == 1
    }

    public func releaseLease(_ lease: Lease) async throws {
        _ = try await commands.run {
            try $0.evaluate(Self.release, keys: [lease.name], arguments: [lease.holder, lease.token],
                            retry: .reconnectOnceIfIdempotent)
        }
    }

    public func currentLease(_ name: String) async throws -> Lease? {
        let fields = try await self.fields(of: name)
        guard let holder = fields["holder"], let token = fields["token"].flatMap(Int.init) else { return nil }
        return Lease(name: name, holder: holder, token: token)
    }

    // MARK: Streams

    public func append(to stream: String, fields: [String: String]) async throws -> StreamID {
        precondition(!fields.isEmpty, "a stream entry needs at least one field")
        let words: [any RedisArgument] = ["XADD", stream, "*"] + fields.sorted { $0.key < $1.key }.flatMap { [$0.key, $0.value] }
        let reply = try await commands.run(idempotent: false) { try $0.command(words) }
        guard let text = reply.string, let id = StreamID(text) else {
            throw StateError.unavailable("XADD returned \(reply), not a stream id")
        }
        return id
    }

    public func read(_ stream: String, after: StreamID, limit: Int) async throws -> [StreamEntry] {
        let reply = try await commands.run {
            try $0.command("XRANGE", stream, "(\(after)", "+", "COUNT", limit, retry: .reconnectOnceIfIdempotent)
        }
        return try Self.entries(try reply.requireArray())
    }

    public func follow(_ stream: String, after: StreamID, limit: Int, waitMilliseconds: Int) async throws -> [StreamEntry] {
        let ready = try await read(stream, after: after, limit: limit)
        guard ready.isEmpty, waitMilliseconds > 0 else { return ready }
        let wait = min(waitMilliseconds, longestFollowMilliseconds)
        let reply = try await followers.run {
            try $0.command("XREAD", "COUNT", limit, "BLOCK", wait, "STREAMS", stream, after.description,
                           retry: .reconnectOnceIfIdempotent)
        }
        guard let streams = reply.array, let first = streams.first?.array, first.count == 2,
              let entries = first[1].array else { return [] }
        return try Self.entries(entries)
    }

    // MARK: Complete once

    public func completeOnce(_ completion: Completion) async throws -> CompletionOutcome {
        let plan = try Self.plan(completion)
        let reply = try await commands.run {
            try $0.evaluate(Self.complete, keys: [], arguments: [plan], retry: .reconnectOnceIfIdempotent)
        }
        let words = try reply.requireArray()
        switch words.first?.string {
        case "completed":
            return .completed
        case "done":
            var stored = try Self.dictionary(Array(words.dropFirst()))
            stored["_done"] = nil
            return .alreadyCompleted(result: stored)
        case "fenced":
            guard words.count == 3, let holder = words[1].string, let token = words[2].string.flatMap(Int.init),
                  let name = completion.fence?.name else { return .fenced(current: nil) }
            return .fenced(current: Lease(name: name, holder: holder, token: token))
        default:
            throw StateError.unavailable("the complete-once script answered \(reply)")
        }
    }

    // MARK: Extensions

    /// Runs a Lua script atomically on the store's Redis (for state kinds other modules define, such as the teacher's
    /// shared rate limits). Not retried: the caller knows whether its script is safe to run twice.
    public func evaluate(_ script: RedisScript, keys: [String], arguments: [String]) async throws -> RedisReply {
        try await commands.run { try $0.evaluate(script, keys: keys, arguments: arguments) }
    }

    // MARK: Encoding

    private struct Plan: Encodable {
        struct Fence: Encodable {
            var name: String
            var holder: String
            var token: Int
        }

        var done: String
        var result: [String: String]
        var increments: [[Field]]
        var records: [[Field]]
        var events: [[Field]]
        var fence: Fence?

        enum Field: Encodable {
            case text(String)
            case number(Int)
            case map([String: String])
            case list([String])

            func encode(to encoder: any Encoder) throws {
                var container = encoder.singleValueContainer()
                switch self {
                case .text(let text): try container.encode(text)
                case .number(let number): try container.encode(number)
                case .map(let map): try container.encode(map)
                case .list(let list): try container.encode(list)
                }
            }
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(done, forKey: .done)
            try container.encode(result, forKey: .result)
            try container.encode(increments, forKey: .increments)
            try container.encode(records, forKey: .records)
            try container.encode(events, forKey: .events)
            if let fence { try container.encode(fence, forKey: .fence) } else { try container.encodeNil(forKey: .fence) }
        }

        enum CodingKeys: String, CodingKey { case done, result, increments, records, events, fence }
    }

    private static func plan(_ completion: Completion) throws -> String {
        let plan = Plan(
            done: completion.doneKey,
            result: completion.result,
            increments: completion.increments.map { [.text($0.key), .text($0.field), .number($0.delta)] },
            records: completion.records.map { [.text($0.key), .map($0.fields)] },
            events: completion.events.map { event in
                [.text(event.stream), .list(event.fields.sorted { $0.key < $1.key }.flatMap { [$0.key, $0.value] })]
            },
            fence: completion.fence.map { Plan.Fence(name: $0.name, holder: $0.holder, token: $0.token) })
        return String(decoding: try JSONEncoder().encode(plan), as: UTF8.self)
    }

    private static func dictionary(_ words: [RedisReply]) throws -> [String: String] {
        guard words.count % 2 == 0 else { throw StateError.unavailable("a field list of odd length: \(words)") }
        var result: [String: String] = [:]
        var index = 0
        while index < words.count {
            guard let field = words[index].string, let value = words[index + 1].string else {
                throw StateError.unavailable("non-text field in \(words)")
            }
            result[field] = value
            index += 2
        }
        return result
    }

    private static func entries(_ replies: [RedisReply]) throws -> [StreamEntry] {
        try replies.map { reply in
            guard let pair = reply.array, pair.count == 2, let text = pair[0].string, let id = StreamID(text),
                  let fields = pair[1].array else {
                throw StateError.unavailable("unexpected stream entry \(reply)")
            }
            return StreamEntry(id: id, fields: try dictionary(fields))
        }
    }

    /// Maps a Redis failure onto the store's errors, keeping Redis's own sentence (it says what to check).
    static func stateError(_ error: RedisError) -> StateError {
        if case .server(let server) = error { return .refused(server.message) }
        return .unavailable(error.description)
    }
}
