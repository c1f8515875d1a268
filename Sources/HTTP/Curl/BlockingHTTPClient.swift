/// Sends one request at a time on the calling thread, for scripts and command-line tools.
///
/// Each call uses a fresh easy handle (no connection reuse between calls); for many requests in flight use
/// ``HTTPClient``.
public struct BlockingHTTPClient: Sendable {
    /// A client; creating it is free, libcurl's global setup runs once per process on first use.
    public init() {}

    /// Sends `request` and waits for the full response. Any status is a response; transport failures throw.
    public func send(_ request: HTTPRequest) throws(HTTPError) -> HTTPResponse {
        try CurlTransfer(request: request).perform()
    }
}
