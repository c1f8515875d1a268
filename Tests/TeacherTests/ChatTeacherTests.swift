import Artifacts
import Foundation
import HTTP
import HTTPTestServer
import Synchronization
import Testing
@testable import Teacher

/// A chat-completions reply the local server sends.
private func completion(_ text: String, prompt: Int = 100, completion: Int = 20) -> [UInt8] {
    let escaped = text.replacingOccurrences(of: "\n", with: "\\n")
    return Array(#"""
    {"id":"c1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"\#(escaped)"},"finish_reason":"stop"}],"usage":{"prompt_tokens":\#(prompt),"completion_tokens":\#(completion),"total_tokens":\#(prompt + completion)}}
    """#.utf8)
}

/// A local server that answers the n-th request (1-based) with `script(n, request)`, counting requests.
private final class ScriptedTeacherServer: Sendable {
    private final class Counter: Sendable {
        let count = Mutex(0)
    }

    let server: LocalHTTPServer
    private let counter = Counter()

    init(_ script: @escaping @Sendable (Int, ReceivedRequest) -> ScriptedResponse) throws {
        let counter = self.counter
        server = try LocalHTTPServer { request in
            let n = counter.count.withLock { count -> Int in
                count += 1
                return count
            }
            return script(n, request)
        }
    }

    var requests: Int { counter.count.withLock { $0 } }
    var baseURL: String { server.baseURL + "/v1" }
}

private func teacher(_ server: ScriptedTeacherServer, key: String? = "sk-test-secret", timeout: Duration = .seconds(10),
                     attempts: Int = 4, cache: TeacherCache? = nil) throws -> (ChatTeacher, HTTPClient) {
    let http = try HTTPClient(maxConcurrentTransfers: 64)
    let endpoint = TeacherEndpoint(baseURL: server.baseURL, model: "gpt-4o-2024-05-13", apiKey: key, timeout: timeout,
                                   prices: TokenPrices(promptPerMillion: 5, completionPerMillion: 15))
    let retry = RetryPolicy(maxAttempts: attempts, baseDelay: .milliseconds(20), maxDelay: .milliseconds(100))
    return (ChatTeacher(endpoint: endpoint, http: http, maxConcurrency: 8, cache: cache, retry: retry), http)
}

@Test func anAnswerIsReturnedAndPaidFor() async throws {
    let server = try ScriptedTeacherServer { _, request in
        #expect(request.path == "/v1/chat/completions")
        #expect(request.header("Authorization") == "Bearer sk-test-secret")
        let body = String(decoding: request.body, as: UTF8.self)
        #expect(body.contains("data:image/png;base64,") && body.contains("gpt-4o-2024-05-13"))
        return .respond(status: 200, headers: [("Content-Type", "application/json")],
                        body: completion("The red bar is 7.\n\n### Answer: 7"))
    }
    defer { server.server.stop() }
    let (teacher, http) = try teacher(server)
    let reply = await teacher.ask(system: "Generate a rationale first.", instruction: "How tall is the red bar?",
                                  imagePNG: [0x89, 0x50, 0x4E, 0x47])
    await http.shutdown()
    #expect(reply == .answered(text: "The red bar is 7.\n\n### Answer: 7",
                               usage: Usage(promptTokens: 100, completionTokens: 20), cached: false))
    #expect(teacher.meter.calls == 1)
    #expect(abs(teacher.meter.dollars - (100 * 5 + 20 * 15) / 1e6) < 1e-12)
}

@Test func rateLimitsAreWaitedOutAndHalveConcurrency() async throws {
    let server = try ScriptedTeacherServer { n, _ in
        n == 1 ? .respond(status: 429, headers: [("Retry-After", "1")], body: Array("slow down".utf8))
               : .respond(status: 200, body: completion("### Answer: 3"))
    }
    defer { server.server.stop() }
    let (teacher, http) = try teacher(server)
    let start = ContinuousClock.now
    let reply = await teacher.ask(system: "s", instruction: "q", imagePNG: nil)
    let waited = ContinuousClock.now - start
    await http.shutdown()
    #expect(reply == .answered(text: "### Answer: 3", usage: Usage(promptTokens: 100, completionTokens: 20), cached: false))
    #expect(waited >= .seconds(1), "Retry-After: 1 is honoured")
    #expect(server.requests == 2)
    #expect(teacher.concurrencyLimit < 8)
}

@Test func serverErrorsAndMalformedBodiesAreRetried() async throws {
    let server = try ScriptedTeacherServer { n, _ in
        switch n {
        case 1: return .respond(status: 500, body: Array("oops".utf8))
        case 2: return .respond(status: 200, body: Array("{not json".utf8))
        case 3: return .closeConnection
        default: return .respond(status: 200, body: completion("### Answer: B. 4"))
        }
    }
    defer { server.server.stop() }
    let (teacher, http) = try teacher(server, attempts: 5)
    let reply = await teacher.ask(system: "s", instruction: "q", imagePNG: nil)
    await http.shutdown()
    guard case .answered(let text, _, false) = reply else {
        Issue.record("expected an answer after retries, got \(reply)")
        return
    }
    #expect(text == "### Answer: B. 4")
    #expect(server.requests == 4)
}

@Test(arguments: [400, 401, 403])
func clientErrorsFailAtOnceWithoutLeakingTheKey(status: Int) async throws {
    let server = try ScriptedTeacherServer { _, _ in .respond(status: status, body: Array("{\"error\":\"no\"}".utf8)) }
    defer { server.server.stop() }
    let (teacher, http) = try teacher(server)
    let reply = await teacher.ask(system: "s", instruction: "q", imagePNG: nil)
    await http.shutdown()
    guard case .failed(let reason) = reply else {
        Issue.record("expected a failure, got \(reply)")
        return
    }
    #expect(reason.contains("\(status)") && !reason.contains("sk-test-secret"))
    #expect(server.requests == 1, "a 4xx is not retried")
}

@Test func timeoutsAreRetriedThenReportedAsFailures() async throws {
    let server = try ScriptedTeacherServer { _, _ in
        .respond(status: 200, body: completion("late"), delay: .seconds(2))
    }
    defer { server.server.stop() }
    let (teacher, http) = try teacher(server, timeout: .milliseconds(200), attempts: 2)
    let reply = await teacher.ask(system: "s", instruction: "q", imagePNG: nil)
    await http.shutdown()
    guard case .failed(let reason) = reply else {
        Issue.record("expected a failure, got \(reply)")
        return
    }
    #expect(reason.contains("timed out") && reason.contains("2 attempts"))
}

@Test func theCacheAnswersARepeatedQuestionWithoutACall() async throws {
    let server = try ScriptedTeacherServer { _, _ in .respond(status: 200, body: completion("### Answer: 9")) }
    defer { server.server.stop() }
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("cache-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: root) }
    let cache = TeacherCache(artifacts: try ArtifactStore(root: root))
    let (teacher, http) = try teacher(server, cache: cache)
    let first = await teacher.ask(system: "s", instruction: "q", imagePNG: [1, 2, 3])
    let second = await teacher.ask(system: "s", instruction: "q", imagePNG: [1, 2, 3])
    let other = await teacher.ask(system: "s", instruction: "q", imagePNG: [1, 2, 4])
    await http.shutdown()
    guard case .answered(_, _, false) = first, case .answered(_, _, true) = second, case .answered(_, _, false) = other
    else {
        Issue.record("expected a paid call, a cache hit, and another paid call: \(first), \(second), \(other)")
        return
    }
    #expect(server.requests == 2)
    #expect(teacher.meter.cacheHits == 1 && teacher.meter.calls == 2)
}

@Test func manyCallsInFlightAllComplete() async throws {
    let server = try ScriptedTeacherServer { n, _ in
        n % 7 == 0 ? .respond(status: 503, body: []) : .respond(status: 200, body: completion("### Answer: 1"),
                                                              delay: .milliseconds(20))
    }
    defer { server.server.stop() }
    let (teacher, http) = try teacher(server)
    let replies = await withTaskGroup(of: TeacherReply.self) { group in
        for index in 0..<60 { group.addTask { await teacher.ask(system: "s", instruction: "q\(index)", imagePNG: nil) } }
        return await group.reduce(into: []) { $0.append($1) }
    }
    await http.shutdown()
    #expect(replies.count == 60)
    #expect(replies.allSatisfy { if case .answered = $0 { true } else { false } }, "every item ends answered")
}
