import CCurl

/// The process-wide `curl_global_init`, run once before the first handle is made.
///
/// A Swift `static let` is initialized exactly once, thread-safely, which is what libcurl asks of this call (it is
/// not thread-safe itself). It is never undone: `curl_global_cleanup` at exit would race threads still using curl.
enum CurlGlobal {
    /// The result of the one `curl_global_init(CURL_GLOBAL_ALL)`.
    private static let initialization: CURLcode = reasoner_curl_global_init_all()

    /// Runs the global init if it has not run yet; fails when libcurl cannot start (for example no SSL library).
    static func ensureInitialized() throws(HTTPError) {
        guard initialization == CURLE_OK else {
            throw .transfer(code: Int(initialization.rawValue), message: "curl_global_init failed: \(String(cString: curl_easy_strerror(initialization)))")
        }
    }
}
