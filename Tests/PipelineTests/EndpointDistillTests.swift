import Artifacts
import Foundation
import HTTP
import HTTPTestServer
import Logging
import Messaging
import ReasonerData
import Synchronization
import Teacher
import Testing
@testable import Pipeline

/// Counts the requests a local chat-completions server gets.
private final class RequestCount: Sendable {
    let value = Mutex(0)
    func next() -> Int { value.withLock { $0 += 1; return $0 } }
}

/// A local teacher that answers "7" to everything, fails every fifth call with a 400 (a refusal: not retried), sends
/// a 500 (retried) every seventh and a rationale without an answer line every eleventh.
private func faultyTeacherServer(_ count: RequestCount) throws -> LocalHTTPServer {
    try LocalHTTPServer { request in
        let n = count.next()
        let body = String(decoding: request.body, as: UTF8.self)
        #expect(body.contains("Generate a rationale first") || body.contains("rationale"))
        if n % 5 == 0 { return .respond(status: 400, body: Array(#"{"error":"content policy"}"#.utf8)) }
        if n % 7 == 0 { return .respond(status: 500, body: []) }
        if n % 11 == 0 {  // a rationale without its answer line: judged unscorable, dropped with that reason
            let reply = #"{"choices":[{"index":0,"message":{"role":"assistant","content":"First I look at the bars.\nThen I compare them."},"finish_reason":"stop"}],"usage":{"prompt_tokens":50,"completion_tokens":9}}"#
            return .respond(status: 200, body: Array(reply.utf8))
        }
        let reply = #"{"choices":[{"index":0,"message":{"role":"assistant","content":"I read 7.\n\n### Answer: 7"},"finish_reason":"stop"}],"usage":{"prompt_tokens":50,"completion_tokens":9}}"#
        return .respond(status: 200, body: Array(reply.utf8))
    }
}

@Test func endpointDistillationAccountsForEveryItemAndPaysOnce() async throws {
    let suite = try SmallSuite(run: "r1", families: [.chart, .math], trainPerFamily: 20)
    defer { suite.remove() }
    let (artifacts, dataset) = (suite.artifacts, suite.dataset)
    let items = try RowFiles.read(SuiteItem.self, path: try artifacts.path(of: dataset), imageRoot: nil).rows

    let count = RequestCount()
    let server = try faultyTeacherServer(count)
    defer { server.stop() }
    let http = try HTTPClient(maxConcurrentTransfers: 16)
    let teacher = ChatTeacher(
        endpoint: TeacherEndpoint(baseURL: server.baseURL + "/v1", model: "local-teacher", apiKey: "sk-local"),
        http: http, maxConcurrency: 8, cache: TeacherCache(artifacts: artifacts),
        retry: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(5), maxDelay: .milliseconds(20)))
    let handler = DistillHandler(artifacts: artifacts, teacher: teacher)
    let batch = DistillBatch(dataset: dataset, firstLine: 0, lineCount: items.count, teacher: .endpoint,
                             output: try ArtifactRef("runs/r1/distill/endpoint.jsonl"))
    let context = HandlerContext(runID: "r1", messageID: "b1", redelivered: false,
                                 logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
    let first = try await handler.handle(batch, context: context)

    func counts(_ outcome: HandlerOutcome) -> [String: Int] {
        Dictionary(outcome.increments.map { ($0.field, $0.delta) }, uniquingKeysWith: +)
    }
    let firstCounts = counts(first)
    let failed = firstCounts["distill_failed"] ?? 0
    let correct = firstCounts["distill_correct"] ?? 0
    let judged = correct + (firstCounts["distill_wrong"] ?? 0) + (firstCounts["distill_unscorable"] ?? 0)
    #expect(failed > 0, "refusals end as failed items")
    #expect((firstCounts["distill_unscorable"] ?? 0) > 0, "a missing answer line is unscorable, not a guess")
    #expect(judged + failed == items.count, "every item ends kept, dropped or failed")
    let reportData = try artifacts.read(try ArtifactRef(batch.output.path + ".report.jsonl"))
    let report = try reportData.split(separator: UInt8(ascii: "\n")).map {
        try JSONDecoder().decode(ReportLine.self, from: Data($0))
    }
    #expect(report.count == items.count)
    #expect(report.filter { $0.failure != nil }.allSatisfy { $0.failure!.contains("400") })
    // Scorable answers all say 7: exactly the items annotated 7 among them are kept.
    let scorable = Set(report.filter { $0.failure == nil && $0.verdict != "unscorable" }.map(\.id))
    let expectedKept = items.filter { scorable.contains($0.id) && $0.answer == "7" }.count
    #expect(correct == expectedKept, "kept exactly the scorable items whose annotation is 7")
    #expect(firstCounts["teacher_calls"] == judged, "every paid answer is counted for the run's cost")
    #expect(firstCounts["teacher_prompt_tokens"] == 50 * judged)

    // The same batch again (a redelivery before the done-mark): answered calls come from the cache.
    let requestsBefore = count.value.withLock { $0 }
    let second = try await handler.handle(batch, context: context)
    let newRequests = count.value.withLock { $0 } - requestsBefore
    #expect((counts(second)["distill_correct"] ?? 0) >= correct, "a retried item may now be answered")
    #expect((counts(second)["teacher_calls"] ?? 0) <= failed, "cached answers cost nothing")
    #expect(newRequests <= failed * 3, "only the failed items are asked again; answered ones are cached")
    #expect(teacher.meter.cacheHits >= judged)
    await http.shutdown()
}

/// The report line, as the test reads it.
private struct ReportLine: Decodable {
    var id: String
    var verdict: String
    var failure: String?
}

@Test func aBudgetStopsEnqueuingOnceSpent() async throws {
    let suite = try SmallSuite(run: "b1", families: [.chart, .math], trainPerFamily: 20)
    defer { suite.remove() }
    let artifacts = suite.artifacts
    let server = try LocalHTTPServer { _ in
        let reply = ####"{"choices":[{"index":0,"message":{"role":"assistant","content":"### Answer: 3"},"finish_reason":"stop"}],"usage":{"prompt_tokens":50,"completion_tokens":10}}"####
        return .respond(status: 200, body: Array(reply.utf8))
    }
    defer { server.stop() }
    let http = try HTTPClient(maxConcurrentTransfers: 8)
    // 50 prompt tokens at $10,000 per million: $0.50 a call.
    let teacher = ChatTeacher(endpoint: TeacherEndpoint(baseURL: server.baseURL + "/v1", model: "m",
                                                        prices: TokenPrices(promptPerMillion: 10_000,
                                                                            completionPerMillion: 0)),
                              http: http, maxConcurrency: 4)
    let fleet = EmbeddedFleet(artifacts: artifacts, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
    let stage = DistillBatches(runID: "b1", dataset: suite.dataset, itemCount: suite.count, batchSize: 5,
                             teacher: .endpoint)
    let ran = try await fleet.distill(stage, workers: 2, teacher: teacher, budgetDollars: 6) { _, _ in }
    await http.shutdown()
    let counters = try await fleet.store.fields(of: StateKeys.counters("b1"))
    let spent = Double(counters["teacher_cost_microdollars"] ?? "0")! / 1e6
    #expect(ran < 8, "the budget stopped enqueuing before the 8 batches (ran \(ran))")
    #expect(spent >= 6, "it stopped only once the budget was spent ($\(spent))")
    #expect(counters["distill_batches"] == String(ran), "every enqueued batch finished")
}
