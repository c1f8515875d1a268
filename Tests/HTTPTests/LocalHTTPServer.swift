#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// A request as the local test server parsed it.
struct ReceivedRequest: Sendable {
    /// The method token.
    var method: String
    /// The request target (path and query).
    var path: String
    /// Header fields in order.
    var headers: [(name: String, value: String)]
    /// The body, read by `Content-Length`.
    var body: [UInt8]

    /// The first value of a header field, ignoring case.
    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// What the local test server does with one request.
enum ScriptedResponse: Sendable {
    /// Waits `delay`, then answers with this status, extra headers and body.
    case respond(status: Int, headers: [(String, String)] = [], body: [UInt8] = [], delay: Duration = .zero)
    /// Closes the connection without writing anything.
    case closeConnection
}

/// A small HTTP/1.1 server on 127.0.0.1 with an ephemeral port, written on POSIX sockets so that HTTP tests need
/// nothing but the test process. One thread per connection; every response carries `Connection: close`.
final class LocalHTTPServer: Sendable {
    /// The port the kernel picked.
    let port: Int
    /// `http://127.0.0.1:<port>`.
    var baseURL: String { "http://127.0.0.1:\(port)" }

    private let listener: Int32
    private let stopped = Atomic<Bool>(false)

    /// Starts listening and serving; `route` decides each response.
    init(route: @escaping @Sendable (ReceivedRequest) -> ScriptedResponse = LocalHTTPServer.standardRoute) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw LocalHTTPServerError.socket("socket", errno) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 256) == 0 else {
            close(fd)
            throw LocalHTTPServerError.socket("bind/listen", errno)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { [self] in acceptLoop(route: route) }
    }

    /// Stops accepting; connections being served finish on their own. The accept thread holds the server, so
    /// every test calls this (in a `defer`).
    func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        shutdown(listener, Int32(SHUT_RDWR))  // wakes the blocked accept()
        close(listener)
    }

    /// The routes the HTTP tests use.
    @Sendable static func standardRoute(_ request: ReceivedRequest) -> ScriptedResponse {
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

    private func acceptLoop(route: @escaping @Sendable (ReceivedRequest) -> ScriptedResponse) {
        while !stopped.load(ordering: .acquiring) {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                return  // the listener was shut down
            }
            Thread.detachNewThread { Self.serve(connection: connection, route: route) }
        }
    }

    private static func serve(connection: Int32, route: (ReceivedRequest) -> ScriptedResponse) {
        defer { close(connection) }
        guard let request = readRequest(connection) else { return }
        switch route(request) {
        case .closeConnection:
            return
        case .respond(let status, let headers, let body, let delay):
            if delay > .zero {
                let (seconds, attoseconds) = delay.components
                usleep(UInt32(seconds * 1_000_000 + attoseconds / 1_000_000_000_000))
            }
            var head = "HTTP/1.1 \(status) \(reason(status))\r\nContent-Length: \(body.count)\r\nConnection: close\r\n"
            for (name, value) in headers { head += "\(name): \(value)\r\n" }
            head += "\r\n"
            writeAll(connection, Array(head.utf8) + body)
        }
    }

    /// Reads the head up to the blank line, then exactly `Content-Length` body bytes; `nil` on a malformed request.
    private static func readRequest(_ connection: Int32) -> ReceivedRequest? {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        let separator: [UInt8] = [13, 10, 13, 10]
        var headEnd: Int?
        while headEnd == nil {
            let count = recv(connection, &chunk, chunk.count, 0)
            guard count > 0 else { return nil }
            buffer += chunk[0..<count]
            headEnd = buffer.firstRange(of: separator)?.lowerBound
            if buffer.count > 1 << 20 { return nil }
        }
        guard let headEnd else { return nil }
        let lines = String(decoding: buffer[0..<headEnd], as: UTF8.self).components(separatedBy: "\r\n")
        let requestLine = lines[0].split(separator: " ")
        guard requestLine.count == 3 else { return nil }
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { return nil }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        var request = ReceivedRequest(method: String(requestLine[0]), path: String(requestLine[1]), headers: headers, body: [])
        let contentLength = Int(request.header("Content-Length") ?? "0") ?? 0
        var body = Array(buffer[(headEnd + 4)...])
        while body.count < contentLength {
            let count = recv(connection, &chunk, chunk.count, 0)
            guard count > 0 else { return nil }
            body += chunk[0..<count]
        }
        request.body = Array(body.prefix(contentLength))
        return request
    }

    private static func writeAll(_ connection: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            // MSG_NOSIGNAL: a client that already gave up must not kill the test process with SIGPIPE.
            let written = bytes[offset...].withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { return }
            offset += written
        }
    }

    private static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 404: "Not Found"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        default: "Status"
        }
    }
}

/// The local test server could not start.
enum LocalHTTPServerError: Error, CustomStringConvertible {
    /// A socket call failed with this errno.
    case socket(String, Int32)

    var description: String {
        switch self {
        case .socket(let call, let code): "test HTTP server: \(call) failed: \(String(cString: strerror(code)))"
        }
    }
}

/// A loopback port with nothing listening: bound to learn a free number, then closed.
func unusedLoopbackPort() throws -> Int {
    let server = try LocalHTTPServer(route: { _ in .closeConnection })
    let port = server.port
    server.stop()
    return port
}
