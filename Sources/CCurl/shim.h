#pragma once
#include <curl/curl.h>

// curl_easy_setopt, curl_multi_setopt and curl_easy_getinfo are variadic, which Swift cannot call: one typed
// static inline wrapper per argument type the HTTP module passes.

/// Sets an option taking a `long` (flags, sizes, millisecond timeouts).
static inline CURLcode reasoner_curl_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

/// Sets an option taking a C string (URL, custom method); curl copies strings since 7.17.
static inline CURLcode reasoner_curl_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

/// Sets an option taking an object pointer (callback user data, header list, error buffer, private pointer).
static inline CURLcode reasoner_curl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

/// Sets an option taking a `curl_off_t` (large body sizes).
static inline CURLcode reasoner_curl_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

/// Sets a write-style callback (CURLOPT_WRITEFUNCTION and CURLOPT_HEADERFUNCTION share this signature).
static inline CURLcode reasoner_curl_easy_setopt_write_callback(CURL *handle, CURLoption option,
                                                                curl_write_callback value) {
    return curl_easy_setopt(handle, option, value);
}

/// Reads a `long` transfer fact (response code).
static inline CURLcode reasoner_curl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

/// Reads a pointer-valued transfer fact (CURLINFO_PRIVATE).
static inline CURLcode reasoner_curl_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **value) {
    return curl_easy_getinfo(handle, info, value);
}

/// Reads a `curl_off_t` transfer fact (total time in microseconds).
static inline CURLcode reasoner_curl_easy_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(handle, info, value);
}

/// Sets a multi-handle option taking a `long` (connection limits).
static inline CURLMcode reasoner_curl_multi_setopt_long(CURLM *multi, CURLMoption option, long value) {
    return curl_multi_setopt(multi, option, value);
}

/// The easy handle of a finished-transfer message (Swift cannot reach into the CURLMsg union portably).
static inline CURL *reasoner_curl_msg_easy_handle(const CURLMsg *message) { return message->easy_handle; }

/// Whether a CURLMsg reports a finished transfer.
static inline int reasoner_curl_msg_is_done(const CURLMsg *message) { return message->msg == CURLMSG_DONE; }

/// The result code of a finished transfer.
static inline CURLcode reasoner_curl_msg_result(const CURLMsg *message) { return message->data.result; }

/// curl_global_init with every subsystem (SSL included); the flags are a macro expression Swift does not import.
static inline CURLcode reasoner_curl_global_init_all(void) { return curl_global_init(CURL_GLOBAL_ALL); }
