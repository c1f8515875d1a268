#if canImport(Glibc)
import Glibc
/// The C library's bind(2), named apart from `HTTPServer.bind`.
private let systemBind = Glibc.bind
#elseif canImport(Darwin)
import Darwin
/// The C library's bind(2), named apart from `HTTPServer.bind`.
private let systemBind = Darwin.bind
#endif
import Foundation
import Synchronization

/// A small HTTP/1.1 server on plain POSIX sockets: one thread per connection, keep-alive honoured, request bodies
/// read by `Content-Length` (`Expect: 100-continue` answered, so large uploads do not stall), limits on head size,
/// body size, open connections and idle time. It serves the student (`reasoner serve`) and the tests' scripted
/// servers, which need nothing outside the process. No TLS: put a TLS proxy in front to serve beyond one machine.
public final class HTTPServer: Sendable {
    /// The port bound (the kernel's pick when 0 was asked for).
    public let port: Int
    /// The host as given.
    public let host: String
    /// Whether the bound address is a loopback address (127.0.0.0/8 or ::1): reachable from this machine only.
    public let isLoopback: Bool

    private let listener: Int32
    private let limits: HTTPServerLimits
    /// Open connection sockets; `stop()` shuts them down so their threads end.
    private let connections = Mutex<Set<Int32>>([])
    private let stopped = Atomic<Bool>(false)

    /// Binds `host:port` and starts serving; `handler` decides each response (it runs on the connection's thread).
    public init(host: String, port: Int, limits: HTTPServerLimits = HTTPServerLimits(),
                handler: @escaping @Sendable (HTTPServerRequest) -> HTTPServerReply) throws(HTTPServerError) {
        let bound = try Self.bind(host: host, port: port)
        listener = bound.socket
        self.port = bound.port
        self.host = host
        isLoopback = bound.isLoopback
        self.limits = limits
        Thread.detachNewThread { [self] in acceptLoop(handler: handler) }
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

    /// The system's text for an errno.
    static func errorText(_ code: Int32) -> String { String(cString: strerror(code)) }

    private static func bind(host: String, port: Int) throws(HTTPServerError)
        -> (socket: Int32, port: Int, isLoopback: Bool) {
        guard (0...65535).contains(port) else { throw .unknownHost(host, reason: "port \(port) is not in 0...65535") }
        var hints = addrinfo()
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var results: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &results)
        guard status == 0, let first = results else {
            throw .unknownHost(host, reason: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(results) }
        let fd = socket(first.pointee.ai_family, first.pointee.ai_socktype, first.pointee.ai_protocol)
        guard fd >= 0 else { throw .socket("socket", errno) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        guard systemBind(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0, listen(fd, 512) == 0 else {
            let code = errno
            close(fd)
            throw .socket("bind/listen \(host):\(port)", code)
        }
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, Self.port(of: address), Self.isLoopback(address))
    }

    private static func port(of address: sockaddr_storage) -> Int {
        var copy = address
        return withUnsafePointer(to: &copy) { pointer in
            if address.ss_family == sa_family_t(AF_INET6) {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                    Int(UInt16(bigEndian: $0.pointee.sin6_port))
                }
            }
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                Int(UInt16(bigEndian: $0.pointee.sin_port))
            }
        }
    }

    private static func isLoopback(_ address: sockaddr_storage) -> Bool {
        var copy = address
        return withUnsafePointer(to: &copy) { pointer in
            if address.ss_family == sa_family_t(AF_INET6) {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { six in
                    withUnsafeBytes(of: six.pointee.sin6_addr) { bytes in
                        bytes.prefix(15).allSatisfy { $0 == 0 } && bytes[15] == 1
                    }
                }
            }
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                UInt32(bigEndian: $0.pointee.sin_addr.s_addr) >> 24 == 127
            }
        }
    }

    private func acceptLoop(handler: @escaping @Sendable (HTTPServerRequest) -> HTTPServerReply) {
        while !stopped.load(ordering: .acquiring) {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                return  // the listener was shut down
            }
            let admitted = connections.withLock { open -> Bool in
                guard open.count < limits.maxConnections else { return false }
                open.insert(connection)
                return true
            }
            guard admitted else {
                _ = Self.writeAll(connection, Self.head(status: 503, headers: [], bodyCount: 0, keepAlive: false))
                close(connection)
                continue
            }
            if let idle = limits.idleTimeout {
                let (seconds, attoseconds) = idle.components
                var timeout = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
                setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            }
            Thread.detachNewThread { [self] in
                serve(connection: connection, handler: handler)
                // Forget before closing, under the lock, so stop() never shuts down a reused descriptor number.
                connections.withLock { open in
                    open.remove(connection)
                    close(connection)
                }
            }
        }
    }

    private func serve(connection: Int32, handler: (HTTPServerRequest) -> HTTPServerReply) {
        var buffered: [UInt8] = []
        while true {
            switch readRequest(connection, buffered: &buffered) {
            case .end:
                return
            case .refuse(let status, let message):
                let body = Array(message.utf8)
                _ = Self.writeAll(connection, Self.head(status: status, headers: [("Content-Type", "text/plain")],
                                                        bodyCount: body.count, keepAlive: false) + body)
                return
            case .request(let request):
                let keepAlive = request.version == "HTTP/1.1"
                    && request.header("Connection")?.lowercased() != "close"
                switch handler(request) {
                case .closeConnection:
                    return
                case .respond(let status, let headers, let body):
                    let head = Self.head(status: status, headers: headers, bodyCount: body.count, keepAlive: keepAlive)
                    guard Self.writeAll(connection, head + body), keepAlive else { return }
                }
            }
        }
    }

    private enum ReadOutcome {
        case request(HTTPServerRequest)
        /// End of stream, a timeout, or a head that cannot be parsed: close without answering.
        case end
        /// Answer with this status and close.
        case refuse(Int, String)
    }

    /// Reads one request: the head up to the blank line, then exactly `Content-Length` body bytes. Bytes past the
    /// request stay in `buffered` for the next one.
    private func readRequest(_ connection: Int32, buffered: inout [UInt8]) -> ReadOutcome {
        let separator: [UInt8] = [13, 10, 13, 10]
        var chunk = [UInt8](repeating: 0, count: 65536)
        func receiveMore() -> Bool {
            let count = recv(connection, &chunk, chunk.count, 0)
            guard count > 0 else { return false }
            buffered += chunk[0..<count]
            return true
        }
        var headEnd = buffered.firstRange(of: separator)?.lowerBound
        while headEnd == nil {
            guard buffered.count < limits.maxHeadBytes, receiveMore() else { return .end }
            headEnd = buffered.firstRange(of: separator)?.lowerBound
        }
        guard let headEnd else { return .end }
        let lines = String(decoding: buffered[0..<headEnd], as: UTF8.self).components(separatedBy: "\r\n")
        let requestLine = lines[0].split(separator: " ")
        guard requestLine.count == 3 else { return .end }
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { return .end }
            headers.append((String(line[..<colon]),
                            line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        var request = HTTPServerRequest(method: String(requestLine[0]), path: String(requestLine[1]),
                                        version: String(requestLine[2]), headers: headers, body: [])
        if request.header("Transfer-Encoding") != nil {
            return .refuse(411, "chunked request bodies are not supported; send Content-Length")
        }
        guard let contentLength = Int(request.header("Content-Length") ?? "0"), contentLength >= 0 else {
            return .refuse(400, "Content-Length is not a number")
        }
        guard contentLength <= limits.maxBodyBytes else {
            return .refuse(413, "the body of \(contentLength) bytes exceeds the limit of \(limits.maxBodyBytes)")
        }
        let bodyStart = headEnd + separator.count
        if request.header("Expect")?.lowercased() == "100-continue", buffered.count < bodyStart + contentLength {
            guard Self.writeAll(connection, Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)) else { return .end }
        }
        while buffered.count < bodyStart + contentLength {
            guard receiveMore() else { return .end }
        }
        request.body = Array(buffered[bodyStart..<(bodyStart + contentLength)])
        buffered.removeFirst(bodyStart + contentLength)
        return .request(request)
    }

    private static func head(status: Int, headers: [(String, String)], bodyCount: Int, keepAlive: Bool) -> [UInt8] {
        var head = "HTTP/1.1 \(status) \(reason(status))\r\nContent-Length: \(bodyCount)\r\n"
        head += keepAlive ? "Connection: keep-alive\r\n" : "Connection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        return Array((head + "\r\n").utf8)
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
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 411: "Length Required"
        case 413: "Content Too Large"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }
}
