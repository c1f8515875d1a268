import Foundation
import Testing
@testable import HTTP

/// A JSON body the echo route sends back unchanged.
private struct ChatMessage: Codable, Equatable {
    var role: String
    var content: String
    var index: Int
}

/// The multi-handle client against the local test server.
@Suite struct HTTPClientTests {
    @Test func postJSONEchoRoundTrip() async throws {
        let server = try TestRoutes.server()
        defer { server.stop() }
        let client = try HTTPClient()
        let message = ChatMessage(role: "user", content: "Wie viele Würfel? 🎲", index: 7)

        let request = try HTTPRequest.postJSON(url: server.baseURL + "/echo", encoding: message, headers: ["X-Test": "yes"])
        let response = try await client.send(request)

        #expect(response.status == 200)
        #expect(try response.decodeJSON(ChatMessage.self) == message)
        #expect(response.headers["content-type"] == "application/json")
        #expect(response.headers["X-ECHO-METHOD"] == "POST")
        #expect(response.headers["x-echo-test"] == "yes")
        await client.shutdown()
    }

    @Test func binaryBodyWithNULsRoundTrips() async throws {
        let server = try TestRoutes.server()
        defer { server.stop() }
        let client = try HTTPClient()
        let body: [UInt8] = [0, 1, 2, 0, 0xFF, 0, 13, 10] + Array(repeating: 0, count: 5000)

        let response = try await client.send(HTTPRequest(method: .put, url: server.baseURL + "/echo", body: body))
        #expect(response.body == body)
        #expect(response.headers["X-Echo-Method"] == "PUT")
        await client.shutdown()
    }

    @Test func serverErrorIsAResponseNotAnError() async throws {
        let server = try TestRoutes.server()
        defer { server.stop() }
        let client = try HTTPClient()

        let response = try await client.send(HTTPRequest(url: server.baseURL + "/status/500"))
        #expect(response.status == 500)
        #expect(!response.isSuccess)
        #expect(response.bodyText == #"{"error":"boom"}"#)
        await client.shutdown()
    }

    @Test func rateLimitHeadersAreReadable() async throws {
        let server = try TestRoutes.server()
        defer { server.stop() }
        let client = try HTTPClient()

        let response = try await client.send(HTTPRequest(url: server.baseURL + "/rate-limited"))
        #expect(response.status == 429)
        #expect(response.headers["retry-after"] == "7")
        #expect(response.headers["RETRY-AFTER"] == "7")
        #expect(response.retryAfter == .seconds(7))
        #expect(response.headers["Content-Length"] == "9")
        await client.shutdown()
    }

    @Test func slowResponseIsATypedTimeout() async throws {
        let server = try TestRoutes.server()
        defer { server.stop() }
        let client = try HTTPClient()

        let error = await #expect(throws: HTTPError.self) {
            try await client.send(HTTPRequest(url: server.baseURL + "/slow", timeout: .milliseconds(300)))
        }
        guard case .timeout(let message) = error else {
            Issue.record("expected a timeout, got \(String(describing: error))")
            return
        }
        #expect(message.contains("timed out"))
        await client.shutdown()
    }

    @Test func refusedConnectionIsTyped() async throws {
        let port = try TestRoutes.unusedLoopbackPort()
        let client = try HTTPClient()

        let error = await #expect(throws: HTTPError.self) {
            try await client.send(HTTPRequest(url: "http://127.0.0.1:\(port)/echo"))
        }
        guard case .connectionRefused(let message) = error else {
            Issue.record("expected connectionRefused, got \(String(describing: error))")
            return
        }
        #expect(message.contains("\(port)"))
        await client.shutdown()
    }

    @Test func closedConnectionIsTyped() async throws {
        let server = try TestRoutes.server()
        defer { server.stop() }
        let client = try HTTPClient()

        let error = await #expect(throws: HTTPError.self) { try await client.send(HTTPRequest(url: server.baseURL + "/close")) }
        guard case .connectionClosed = error else {
            Issue.record("expected connectionClosed, got \(String(describing: error))")
            return
        }
        await client.shutdown()
    }

    @Test func unknownHostIsTyped() async throws {
        let client = try HTTPClient()
        let error = await #expect(throws: HTTPError.self) {
            try await client.send(HTTPRequest(url: "http://reasoner-test.invalid/", connectTimeout: .seconds(5), timeout: .seconds(10)))
        }
        guard case .hostNotFound = error else {
            Issue.record("expected hostNotFound, got \(String(describing: error))")
            return
        }
        await client.shutdown()
    }

    @Test func fiftyConcurrentRequestsAllComplete() async throws {
        let server = try TestRoutes.server()
        defer { server.stop() }
        // Fewer slots than requests, so the queue in front of curl is exercised too.
        let client = try HTTPClient(maxConcurrentTransfers: 16)

        let echoed = try await withThrowingTaskGroup(of: ChatMessage.self) { group in
            for index in 0..<50 {
                group.addTask {
                    let message = ChatMessage(role: "user", content: "request \(index)", index: index)
                    let response = try await client.send(try HTTPRequest.postJSON(url: server.baseURL + "/echo", encoding: message))
                    return try response.decodeJSON(ChatMessage.self)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(echoed.map(\.index).sorted() == Array(0..<50))
        #expect(echoed.allSatisfy { $0.content == "request \($0.index)" })
        await client.shutdown()
    }

    @Test func cancellingTheTaskAbortsTheTransfer() async throws {
        let server = try TestRoutes.server()
        defer { server.stop() }
        let client = try HTTPClient()

        let task = Task { try await client.send(HTTPRequest(url: server.baseURL + "/slow", timeout: .seconds(60))) }
        try await Task.sleep(for: .milliseconds(100))
        task.cancel()
        let result = await task.result
        #expect(throws: CancellationError.self) { try result.get() }
        // The client still works after a cancelled transfer.
        #expect(try await client.send(HTTPRequest(url: server.baseURL + "/status/500")).status == 500)
        await client.shutdown()
    }

    @Test func shutdownFailsRunningAndLaterRequests() async throws {
        let server = try TestRoutes.server()
        defer { server.stop() }
        let client = try HTTPClient(maxConcurrentTransfers: 1)

        let running = Task { try await client.send(HTTPRequest(url: server.baseURL + "/slow", timeout: .seconds(60))) }
        let queued = Task { try await client.send(HTTPRequest(url: server.baseURL + "/slow", timeout: .seconds(60))) }
        try await Task.sleep(for: .milliseconds(100))
        await client.shutdown()

        let runningResult = await running.result
        let queuedResult = await queued.result
        #expect(throws: HTTPError.clientShutDown) { try runningResult.get() }
        #expect(throws: HTTPError.clientShutDown) { try queuedResult.get() }
        await #expect(throws: HTTPError.clientShutDown) { try await client.send(HTTPRequest(url: server.baseURL + "/echo")) }
        await client.shutdown()  // a second shutdown returns at once
    }
}
