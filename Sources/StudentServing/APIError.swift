import Foundation

/// An error answered the way OpenAI's API answers one, so client libraries raise their usual exceptions:
/// `{"error": {"message", "type", "param", "code"}}` with the matching HTTP status.
public struct APIError: Error, Equatable, CustomStringConvertible {
    /// The HTTP status.
    public var status: Int
    /// What went wrong and what to do.
    public var message: String
    /// `invalid_request_error`, `authentication_error`, `not_found_error` or `server_error`.
    public var type: String
    /// The request field at fault, if one is.
    public var param: String?
    /// A machine-readable code (`model_not_found`, `invalid_api_key`), if any.
    public var code: String?

    /// A 400 for a request that cannot be served as written.
    public static func invalid(_ message: String, param: String? = nil) -> APIError {
        APIError(status: 400, message: message, type: "invalid_request_error", param: param, code: nil)
    }

    /// A 401: no token, or the wrong one.
    public static let unauthorized = APIError(
        status: 401, message: "missing or wrong bearer token; send Authorization: Bearer <the server's token>",
        type: "invalid_request_error", param: nil, code: "invalid_api_key")

    /// A 404 for a path or model that does not exist.
    public static func notFound(_ message: String, code: String? = nil, param: String? = nil) -> APIError {
        APIError(status: 404, message: message, type: "invalid_request_error", param: param, code: code)
    }

    /// A 405 for a path used with the wrong method.
    public static func wrongMethod(_ method: String, path: String, allowed: String) -> APIError {
        APIError(status: 405, message: "\(method) is not allowed on \(path); use \(allowed)",
                 type: "invalid_request_error", param: nil, code: nil)
    }

    /// A 500: the server failed; the message says how.
    public static func server(_ message: String) -> APIError {
        APIError(status: 500, message: message, type: "server_error", param: nil, code: nil)
    }

    public var description: String { "\(status) \(type): \(message)" }

    /// The JSON body, with `param` and `code` as null when absent (as OpenAI writes them).
    public var body: [UInt8] {
        let object: [String: Any] = ["error": [
            "message": message, "type": type, "param": param ?? NSNull(), "code": code ?? NSNull(),
        ] as [String: Any]]
        return Array((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data())
    }
}
