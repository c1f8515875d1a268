import CCurl

/// One configured curl easy handle and the response it is collecting.
///
/// Used by one thread at a time (the caller of a blocking send, or the multi driver thread), as libcurl requires
/// of an easy handle. The handle's callbacks receive an unretained pointer to this object, so whoever runs the
/// transfer keeps the object alive until the transfer is finished or removed.
final class CurlTransfer {
    /// The easy handle.
    let handle: UnsafeMutableRawPointer
    /// The request headers as a curl list, freed with the transfer.
    private var headerList: UnsafeMutablePointer<curl_slist>?
    /// curl writes its detailed failure text here (more specific than `curl_easy_strerror`).
    private let errorBuffer: UnsafeMutablePointer<CChar>
    /// Body bytes received so far.
    private var body: [UInt8] = []
    /// Header fields of the latest response head received (a `100 Continue` head is replaced by the final one).
    private var headers = HTTPHeaders()

    /// Creates and configures the handle for `request`.
    init(request: HTTPRequest) throws(HTTPError) {
        try CurlGlobal.ensureInitialized()
        guard let handle = curl_easy_init() else { throw .transfer(code: -1, message: "curl_easy_init failed (out of memory)") }
        self.handle = handle
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        try configure(request)
    }

    deinit {
        curl_easy_cleanup(handle)
        curl_slist_free_all(headerList)
        errorBuffer.deallocate()
    }

    /// Runs the transfer on the calling thread (the blocking client).
    func perform() throws(HTTPError) -> HTTPResponse {
        try finish(curl_easy_perform(handle))
    }

    /// The response, or the typed error for curl's result `code`, once the transfer has ended.
    func finish(_ code: CURLcode) throws(HTTPError) -> HTTPResponse {
        guard code == CURLE_OK else {
            let detail = String(cString: errorBuffer)
            throw HTTPError(curlCode: code, message: detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail)
        }
        var status = 0
        _ = reasoner_curl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headers: headers, body: body)
    }

    // MARK: - Configuration

    private func configure(_ request: HTTPRequest) throws(HTTPError) {
        let this = Unmanaged.passUnretained(self).toOpaque()
        try set(CURLOPT_URL, string: request.url)
        // Signals cannot be used for DNS timeouts in a multi-threaded process; curl's threaded resolver does without.
        try set(CURLOPT_NOSIGNAL, 1)
        try set(CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(request.connectTimeout))
        try set(CURLOPT_TIMEOUT_MS, Self.milliseconds(request.timeout))
        try set(CURLOPT_TCP_KEEPALIVE, 1)
        try set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(errorBuffer))
        // Empty string: offer every encoding this libcurl can decode, and decode transparently.
        try set(CURLOPT_ACCEPT_ENCODING, string: "")
        try check(reasoner_curl_easy_setopt_write_callback(handle, CURLOPT_WRITEFUNCTION) { data, size, count, user in
            let length = size * count
            guard let data, let user else { return length }
            Unmanaged<CurlTransfer>.fromOpaque(user).takeUnretainedValue().body
                .append(contentsOf: UnsafeRawBufferPointer(start: data, count: length))
            return length
        }, option: "CURLOPT_WRITEFUNCTION")
        try set(CURLOPT_WRITEDATA, pointer: this)
        try check(reasoner_curl_easy_setopt_write_callback(handle, CURLOPT_HEADERFUNCTION) { data, size, count, user in
            let length = size * count
            guard let data, let user else { return length }
            let line = String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
            Unmanaged<CurlTransfer>.fromOpaque(user).takeUnretainedValue().receiveHeaderLine(line)
            return length
        }, option: "CURLOPT_HEADERFUNCTION")
        try set(CURLOPT_HEADERDATA, pointer: this)

        for field in request.headers {
            guard !field.name.contains(where: { $0 == ":" || $0 == "\r" || $0 == "\n" }),
                  !field.value.contains(where: { $0 == "\r" || $0 == "\n" }) else {
                throw .invalidRequest("header '\(field.name)' has a ':' in its name or a line break; remove it")
            }
            headerList = curl_slist_append(headerList, "\(field.name): \(field.value)")
        }
        // An empty "Expect:" stops curl from waiting for "100 Continue" before sending larger bodies: one round
        // trip saved per call, and servers that never send 100 do not stall the request.
        headerList = curl_slist_append(headerList, "Expect:")
        try set(CURLOPT_HTTPHEADER, pointer: UnsafeMutableRawPointer(headerList))

        switch request.method {
        case .get where request.body.isEmpty:
            try set(CURLOPT_HTTPGET, 1)
        case .head:
            try set(CURLOPT_NOBODY, 1)
        default:
            if request.method == .post {
                try set(CURLOPT_POST, 1)
            } else {
                try set(CURLOPT_CUSTOMREQUEST, string: request.method.rawValue)
            }
            if !request.body.isEmpty || request.method == .post {
                // The size first, so that COPYPOSTFIELDS copies exactly these bytes (NULs included).
                try check(reasoner_curl_easy_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count)),
                          option: "CURLOPT_POSTFIELDSIZE_LARGE")
                var bytes = request.body
                bytes.append(0)  // never an empty buffer, so the pointer is valid even for an empty body
                let code = bytes.withUnsafeMutableBytes { buffer in
                    reasoner_curl_easy_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, buffer.baseAddress!)
                }
                try check(code, option: "CURLOPT_COPYPOSTFIELDS")
            }
        }
    }

    /// Keeps the header fields of the latest response head; a status line starts a new head.
    private func receiveHeaderLine(_ line: String) {
        if line.hasPrefix("HTTP/") {
            headers = HTTPHeaders()
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = line[..<colon].trimmingCharacters(in: " \t")
        let value = line[line.index(after: colon)...].trimmingCharacters(in: " \t\r\n")
        headers.add(name: String(name), value: String(value))
    }

    private func set(_ option: CURLoption, _ value: Int) throws(HTTPError) {
        try check(reasoner_curl_easy_setopt_long(handle, option, value), option: "option \(option.rawValue)")
    }

    private func set(_ option: CURLoption, string value: String) throws(HTTPError) {
        try check(reasoner_curl_easy_setopt_string(handle, option, value), option: "option \(option.rawValue)")
    }

    private func set(_ option: CURLoption, pointer value: UnsafeMutableRawPointer?) throws(HTTPError) {
        try check(reasoner_curl_easy_setopt_pointer(handle, option, value), option: "option \(option.rawValue)")
    }

    private func check(_ code: CURLcode, option: String) throws(HTTPError) {
        guard code == CURLE_OK else {
            throw HTTPError(curlCode: code, message: "setting \(option): \(String(cString: curl_easy_strerror(code)))")
        }
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }
}

extension String {
    /// The string without leading and trailing characters from `characters` (Foundation-free, for header parsing).
    fileprivate func trimmingCharacters(in characters: String) -> Substring {
        self[...].trimmingCharacters(in: characters)
    }
}

extension Substring {
    /// The substring without leading and trailing characters from `characters`.
    fileprivate func trimmingCharacters(in characters: String) -> Substring {
        let set = Set(characters)
        var result = self
        while let first = result.first, set.contains(first) { result = result.dropFirst() }
        while let last = result.last, set.contains(last) { result = result.dropLast() }
        return result
    }
}

extension HTTPError {
    /// Sorts a libcurl failure into the cases callers act on differently.
    init(curlCode code: CURLcode, message: String) {
        switch code {
        case CURLE_OPERATION_TIMEDOUT:
            self = .timeout(message)
        case CURLE_COULDNT_CONNECT:
            self = .connectionRefused(message)
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            self = .hostNotFound(message)
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
             CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ISSUER_ERROR,
             CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CRL_BADFILE, CURLE_SSL_SHUTDOWN_FAILED:
            self = .tls(message)
        case CURLE_GOT_NOTHING, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE:
            self = .connectionClosed(message)
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL, CURLE_BAD_FUNCTION_ARGUMENT:
            self = .invalidRequest(message)
        default:
            self = .transfer(code: Int(code.rawValue), message: message)
        }
    }
}
