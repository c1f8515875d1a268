import Foundation

/// A complete HTTP response. Every status, 4xx and 5xx included, is a response, not an error: the caller decides.
public struct HTTPResponse: Sendable, Hashable {
    /// The status code of the final response (after any `100 Continue`).
    public var status: Int
    /// The header fields of the final response.
    public var headers: HTTPHeaders
    /// The body bytes (decompressed when the server used gzip, deflate, br or zstd).
    public var body: [UInt8]

    /// A response with every part given.
    public init(status: Int, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// Whether the status is 2xx.
    public var isSuccess: Bool { (200..<300).contains(status) }

    /// The body as UTF-8 text (invalid bytes replaced).
    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// The `Retry-After` delay when given in seconds (the form rate limiters send); `nil` when absent or an HTTP
    /// date, which callers treat as "use your own backoff".
    public var retryAfter: Duration? {
        guard let text = headers["Retry-After"]?.trimmingCharacters(in: .whitespaces), let seconds = Int(text), seconds >= 0
        else { return nil }
        return .seconds(seconds)
    }

    /// Decodes the body as JSON into `type`.
    public func decodeJSON<Value: Decodable>(_ type: Value.Type) throws -> Value {
        try JSONDecoder().decode(type, from: Data(body))
    }
}
