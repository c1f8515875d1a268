import Foundation
import HTTPServer

/// A request as the local server parsed it.
public typealias ReceivedRequest = HTTPServerRequest

/// What the local server does with one request.
public enum ScriptedResponse: Sendable {
    /// Waits `delay`, then answers with this status, extra headers and body.
    case respond(status: Int, headers: [(String, String)] = [], body: [UInt8] = [], delay: Duration = .zero)
    /// Closes the connection without writing anything.
    case closeConnection
}

/// A scripted HTTP/1.1 server on 127.0.0.1 with an ephemeral port, for tests and benchmarks that must not depend on
/// anything outside the process: the project's `HTTPServer` with a route that may delay its answers, no limit on
/// connections or idle time, and heads up to 1 MiB.
public final class LocalHTTPServer: Sendable {
    private let server: HTTPServer

    /// The port the kernel picked.
    public var port: Int { server.port }
    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Starts listening and serving; `route` decides each response.
    public init(route: @escaping @Sendable (ReceivedRequest) -> ScriptedResponse) throws(HTTPServerError) {
        let limits = HTTPServerLimits(maxHeadBytes: 1 << 20, maxBodyBytes: 1 << 40, maxConnections: Int.max,
                                      idleTimeout: nil)
        server = try HTTPServer(host: "127.0.0.1", port: 0, limits: limits) { request in
            switch route(request) {
            case .closeConnection:
                return .closeConnection
            case .respond(let status, let headers, let body, let delay):
                if delay > .zero {
                    let (seconds, attoseconds) = delay.components
                    usleep(UInt32(seconds * 1_000_000 + attoseconds / 1_000_000_000_000))
                }
                return .respond(status: status, headers: headers, body: body)
            }
        }
    }

    /// Stops accepting and shuts down open connections. The accept thread holds the server, so every user calls
    /// this (tests in a `defer`).
    public func stop() { server.stop() }
}

/// The local server could not start.
public typealias LocalHTTPServerError = HTTPServerError
