import Testing
@testable import HTTP

/// The blocking easy-handle client against the local test server.
@Suite struct BlockingHTTPClientTests {
    @Test func postAndReadBack() throws {
        let server = try TestRoutes.server()
        defer { server.stop() }
        let response = try BlockingHTTPClient().send(.postJSON(url: server.baseURL + "/echo", body: Array(#"{"a":1}"#.utf8)))
        #expect(response.status == 200)
        #expect(response.bodyText == #"{"a":1}"#)
        #expect(response.headers["Content-Type"] == "application/json")
    }

    @Test func timeoutIsTyped() throws {
        let server = try TestRoutes.server()
        defer { server.stop() }
        let error = #expect(throws: HTTPError.self) {
            try BlockingHTTPClient().send(HTTPRequest(url: server.baseURL + "/slow", timeout: .milliseconds(200)))
        }
        guard case .timeout = error else {
            Issue.record("expected a timeout, got \(String(describing: error))")
            return
        }
    }

    @Test func badHeaderIsRejectedBeforeSending() {
        #expect(throws: HTTPError.self) {
            try BlockingHTTPClient().send(HTTPRequest(url: "http://127.0.0.1:1/", headers: ["Bad\r\nName": "x"]))
        }
    }
}

/// Header lookups.
@Suite struct HTTPHeadersTests {
    @Test func lookupIgnoresCaseAndKeepsOrder() {
        var headers: HTTPHeaders = ["Set-Cookie": "a=1", "Content-Type": "text/plain"]
        headers.add(name: "set-cookie", value: "b=2")
        #expect(headers["content-type"] == "text/plain")
        #expect(headers.values(for: "SET-COOKIE") == ["a=1", "b=2"])
        headers.replaceOrAdd(name: "SET-COOKIE", value: "c=3")
        #expect(headers.values(for: "Set-Cookie") == ["c=3"])
        #expect(headers["missing"] == nil)
    }

    @Test func retryAfterInSecondsOrAsADate() {
        #expect(HTTPResponse(status: 429, headers: ["Retry-After": " 12 "]).retryAfter == .seconds(12))
        // A date in the past means "now"; a garbled value means "use your own backoff".
        #expect(HTTPResponse(status: 429, headers: ["Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"]).retryAfter == .zero)
        #expect(HTTPResponse(status: 429, headers: ["Retry-After": "later"]).retryAfter == nil)
        #expect(HTTPResponse(status: 200).retryAfter == nil)
    }
}
