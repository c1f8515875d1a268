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

    /// The `Retry-After` delay, given in seconds (the form rate limiters send) or as an HTTP date; `nil` when
    /// absent or unreadable, which callers treat as "use your own backoff".
    public var retryAfter: Duration? {
        headers["Retry-After"].flatMap { Self.parseRetryAfter($0) }
    }

    /// Parses a `Retry-After` value: delta-seconds (fractions accepted) or an HTTP date, relative to `now`.
    public static func parseRetryAfter(_ value: String, now: Date = Date()) -> Duration? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(trimmed) {
            return seconds >= 0 ? .milliseconds(Int64(seconds * 1000)) : nil
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: trimmed) else { return nil }
        return .milliseconds(Int64(max(0, date.timeIntervalSince(now)) * 1000))
    }

    /// Decodes the body as JSON into `type`.
    public func decodeJSON<Value: Decodable>(_ type: Value.Type) throws -> Value {
        try JSONDecoder().decode(type, from: Data(body))
    }
}
