/// Why an HTTP exchange produced no response. Each case carries curl's own explanation of the failure.
public enum HTTPError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The connect or total timeout of the request passed; raise `HTTPRequest.timeout` or check the server's load.
    case timeout(String)
    /// Nothing accepts connections at that address and port; check the URL and that the server runs.
    case connectionRefused(String)
    /// The host name could not be resolved; check the URL's host and the DNS settings.
    case hostNotFound(String)
    /// The TLS handshake or certificate check failed; check the certificate chain and the system CA bundle.
    case tls(String)
    /// The server closed or reset the connection before a complete response; retry if the request is idempotent.
    case connectionClosed(String)
    /// The request cannot be sent as given (bad URL, unsupported scheme, bad header); fix the request.
    case invalidRequest(String)
    /// Any other libcurl failure, with curl's error code and text.
    case transfer(code: Int, message: String)
    /// The client was shut down before the request completed; create a new client.
    case clientShutDown

    /// A sentence for logs and users.
    public var description: String {
        switch self {
        case .timeout(let message): "HTTP request timed out: \(message)"
        case .connectionRefused(let message): "HTTP connection refused: \(message) (is the server running at that address?)"
        case .hostNotFound(let message): "HTTP host not found: \(message) (check the URL's host name)"
        case .tls(let message): "TLS failure: \(message) (check the certificate and CA bundle)"
        case .connectionClosed(let message): "the server closed the connection: \(message)"
        case .invalidRequest(let message): "invalid HTTP request: \(message)"
        case .transfer(let code, let message): "HTTP transfer failed (curl error \(code)): \(message)"
        case .clientShutDown: "the HTTP client was shut down; create a new HTTPClient"
        }
    }
}
