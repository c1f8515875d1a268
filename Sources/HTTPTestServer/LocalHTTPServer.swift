#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization

/// A request as the local server parsed it.
public struct ReceivedRequest: Sendable {
    /// The method token.
    public var method: String
    /// The request target (path and query).
    public var path: String
    /// The protocol version from the request line, such as `HTTP/1.1`.
    public var version: String
    /// Header fields in order.
    public var headers: [(name: String, value: String)]
    /// The body, read by `Content-Length`.
    public var body: [UInt8]

    /// The first value of a header field, ignoring case.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// What the local server does with one request.
public enum ScriptedResponse: Sendable {
    /// Waits `delay`, then answers with this status, extra headers and body.
    case respond(status: Int, headers: [(String, String)] = [], body: [UInt8] = [], delay: Duration = .zero)
    /// Closes the connection without writing anything.
    case closeConnection
}

/// A small HTTP/1.1 server on 127.0.0.1 with an ephemeral port, on plain POSIX sockets, for tests and benchmarks
/// that must not depend on anything outside the process.
///
/// One thread per connection, keep-alive honoured (so clients reuse connections as they would with a real API),
/// requests read by `Content-Length` (no chunked uploads: libcurl sends a length for byte bodies). Not for production.
public final class LocalHTTPServer: Sendable {
    /// The port the kernel picked.
    public let port: Int
    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    private let listener: Int32
    /// Open connection sockets; `stop()` shuts them down so their threads end.
    private let connections = Mutex<Set<Int32>>([])
    private let stopped = Atomic<Bool>(false)

    /// Starts listening and serving; `route` decides each response.
    public init(route: @escaping @Sendable (ReceivedRequest) -> ScriptedResponse) throws(LocalHTTPServerError) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw .socket("socket", errno) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 512) == 0 else {
            let code = errno
            close(fd)
            throw .socket("bind/listen", code)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { [self] in acceptLoop(route: route) }
    }

    /// Stops accepting and shuts down open connections. The accept thread holds the server, so every user calls
    /// this (tests in a `defer`).
    public func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        shutdown(listener, Int32(SHUT_RDWR))  // wakes the blocked accept()
        close(listener)
        connections.withLock { open in
            for connection in open { shutdown(connection, Int32(SHUT_RDWR)) }
        }
    }

    private func acceptLoop(route: @escaping @Sendable (ReceivedRequest) -> ScriptedResponse) {
        while !stopped.load(ordering: .acquiring) {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                return  // the listener was shut down
            }
            connections.withLock { _ = $0.insert(connection) }
            Thread.detachNewThread { [self] in
                Self.serve(connection: connection, route: route)
                // Forget before closing, under the lock, so stop() never shuts down a reused descriptor number.
                connections.withLock { open in
                    open.remove(connection)
                    close(connection)
                }
            }
        }
    }

    private static func serve(connection: Int32, route: (ReceivedRequest) -> ScriptedResponse) {
        var buffered: [UInt8] = []
        while let request = readRequest(connection, buffered: &buffered) {
            let keepAlive = request.version == "HTTP/1.1" && request.header("Connection")?.lowercased() != "close"
            switch route(request) {
            case .closeConnection:
                return
            case .respond(let status, let headers, let body, let delay):
                if delay > .zero {
                    let (seconds, attoseconds) = delay.components
                    usleep(UInt32(seconds * 1_000_000 + attoseconds / 1_000_000_000_000))
                }
                var head = "HTTP/1.1 \(status) \(reason(status))\r\nContent-Length: \(body.count)\r\n"
                head += keepAlive ? "Connection: keep-alive\r\n" : "Connection: close\r\n"
                for (name, value) in headers { head += "\(name): \(value)\r\n" }
                head += "\r\n"
                guard writeAll(connection, Array(head.utf8) + body), keepAlive else { return }
            }
        }
    }

    /// Reads one request: the head up to the blank line, then exactly `Content-Length` body bytes. Bytes past the
    /// request stay in `buffered` for the next one. `nil` at end of stream or on a malformed request.
    private static func readRequest(_ connection: Int32, buffered: inout [UInt8]) -> ReceivedRequest? {
        let separator: [UInt8] = [13, 10, 13, 10]
        var chunk = [UInt8](repeating: 0, count: 16384)
        func receiveMore() -> Bool {
            let count = recv(connection, &chunk, chunk.count, 0)
            guard count > 0 else { return false }
            buffered += chunk[0..<count]
            return true
        }
        var headEnd = buffered.firstRange(of: separator)?.lowerBound
        while headEnd == nil {
            guard buffered.count < 1 << 20, receiveMore() else { return nil }
            headEnd = buffered.firstRange(of: separator)?.lowerBound
        }
        guard let headEnd else { return nil }
        let lines = String(decoding: buffered[0..<headEnd], as: UTF8.self).components(separatedBy: "\r\n")
        let requestLine = lines[0].split(separator: " ")
        guard requestLine.count == 3 else { return nil }
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { return nil }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        var request = ReceivedRequest(method: String(requestLine[0]), path: String(requestLine[1]),
                                      version: String(requestLine[2]), headers: headers, body: [])
        guard let contentLength = Int(request.header("Content-Length") ?? "0"), contentLength >= 0 else { return nil }
        let bodyStart = headEnd + separator.count
        while buffered.count < bodyStart + contentLength {
            guard receiveMore() else { return nil }
        }
        request.body = Array(buffered[bodyStart..<(bodyStart + contentLength)])
        buffered.removeFirst(bodyStart + contentLength)
        return request
    }

    /// Writes every byte; `false` when the client has gone.
    private static func writeAll(_ connection: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            // MSG_NOSIGNAL: a client that already gave up must not kill the process with SIGPIPE.
            let written = bytes[offset...].withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { return false }
            offset += written
        }
        return true
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

/// The local server could not start.
public enum LocalHTTPServerError: Error, Sendable, CustomStringConvertible {
    /// A socket call failed with this errno; another process may hold too many descriptors, or loopback is down.
    case socket(String, Int32)

    /// The failing call and the system's explanation.
    public var description: String {
        switch self {
        case .socket(let call, let code): "local HTTP server: \(call) failed: \(String(cString: strerror(code)))"
        }
    }
}
