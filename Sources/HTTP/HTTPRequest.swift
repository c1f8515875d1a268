import Foundation

/// An HTTP method; any token is allowed, the common ones are named.
public struct HTTPMethod: RawRepresentable, Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The method token as sent on the request line.
    public var rawValue: String
    /// Wraps a method token such as `"PATCH"`.
    public init(rawValue: String) { self.rawValue = rawValue }
    /// Wraps a method literal.
    public init(stringLiteral value: String) { self.rawValue = value }
    /// The method token.
    public var description: String { rawValue }

    /// `GET`.
    public static let get: HTTPMethod = "GET"
    /// `POST`.
    public static let post: HTTPMethod = "POST"
    /// `PUT`.
    public static let put: HTTPMethod = "PUT"
    /// `PATCH`.
    public static let patch: HTTPMethod = "PATCH"
    /// `DELETE`.
    public static let delete: HTTPMethod = "DELETE"
    /// `HEAD` (the response has no body).
    public static let head: HTTPMethod = "HEAD"
}

/// One HTTP request: method, URL, headers, body bytes and its own timeouts.
public struct HTTPRequest: Sendable, Hashable {
    /// The request method.
    public var method: HTTPMethod
    /// The absolute `http://` or `https://` URL.
    public var url: String
    /// Header fields sent as given.
    public var headers: HTTPHeaders
    /// The body bytes (empty for none).
    public var body: [UInt8]
    /// Longest wait for the TCP (and TLS) connection; exceeding it fails with ``HTTPError/timeout(_:)``.
    public var connectTimeout: Duration
    /// Longest time for the whole exchange, connect included; exceeding it fails with ``HTTPError/timeout(_:)``.
    public var timeout: Duration

    /// A request with every part given.
    public init(method: HTTPMethod = .get, url: String, headers: HTTPHeaders = [:], body: [UInt8] = [],
                connectTimeout: Duration = .seconds(10), timeout: Duration = .seconds(120)) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.connectTimeout = connectTimeout
        self.timeout = timeout
    }

    /// A `POST` of JSON bytes with `Content-Type` and `Accept` set to `application/json`.
    public static func postJSON(url: String, body: [UInt8], headers: HTTPHeaders = [:],
                                timeout: Duration = .seconds(120)) -> HTTPRequest {
        var allHeaders = headers
        allHeaders.replaceOrAdd(name: "Content-Type", value: "application/json")
        if allHeaders["Accept"] == nil { allHeaders.add(name: "Accept", value: "application/json") }
        return HTTPRequest(method: .post, url: url, headers: allHeaders, body: body, timeout: timeout)
    }

    /// A `POST` of `value` encoded as JSON.
    public static func postJSON(url: String, encoding value: some Encodable, headers: HTTPHeaders = [:],
                                timeout: Duration = .seconds(120)) throws -> HTTPRequest {
        postJSON(url: url, body: Array(try JSONEncoder().encode(value)), headers: headers, timeout: timeout)
    }
}
