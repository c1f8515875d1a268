import HTTPTestServer

/// The scripted paths the HTTP tests use, served by ``LocalHTTPServer``.
enum TestRoutes {
    /// Starts a local server with the ``standard(_:)`` routes.
    static func server() throws -> LocalHTTPServer {
        try LocalHTTPServer(route: standard)
    }

    /// `/echo` (200, JSON, body and method echoed), `/status/500`, `/rate-limited` (429 + Retry-After),
    /// `/slow` (answers after 3 s), `/close` (closes without answering); anything else 404.
    @Sendable static func standard(_ request: ReceivedRequest) -> ScriptedResponse {
        switch request.path {
        case "/echo":
            var headers = [("Content-Type", "application/json"), ("X-Echo-Method", request.method)]
            if let test = request.header("X-Test") { headers.append(("X-Echo-Test", test)) }
            return .respond(status: 200, headers: headers, body: request.body)
        case "/status/500":
            return .respond(status: 500, headers: [("Content-Type", "application/json")], body: Array(#"{"error":"boom"}"#.utf8))
        case "/rate-limited":
            return .respond(status: 429, headers: [("Retry-After", "7")], body: Array("slow down".utf8))
        case "/slow":
            return .respond(status: 200, body: Array("late".utf8), delay: .seconds(3))
        case "/close":
            return .closeConnection
        default:
            return .respond(status: 404, body: Array("no route \(request.path)".utf8))
        }
    }

    /// A loopback port with nothing listening: bound to learn a free number, then closed.
    static func unusedLoopbackPort() throws -> Int {
        let server = try LocalHTTPServer(route: { _ in .closeConnection })
        let port = server.port
        server.stop()
        return port
    }
}
