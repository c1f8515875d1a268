import CCurl
import Foundation
import Synchronization

/// An HTTP client for many requests in flight at once, built on one curl multi handle.
///
/// A dedicated driver thread runs `curl_multi_perform` / `curl_multi_poll` and resumes each caller's continuation
/// when its transfer ends; callers just `await send(_:)`. At most `maxConcurrentTransfers` transfers run at once,
/// the rest wait in arrival order. Connections are kept alive and reused across requests to the same host.
/// Cancelling the calling task aborts its transfer. Call ``shutdown()`` when done: it fails whatever is still
/// queued or running with ``HTTPError/clientShutDown`` and waits for the driver thread to exit.
public final class HTTPClient: Sendable {
    /// The lock-protected request table and the multi handle, shared with the driver thread.
    private let shared: HTTPClientShared
    /// The most transfers running at once.
    public let maxConcurrentTransfers: Int

    /// Starts the driver thread. `maxConcurrentTransfers` bounds parallel transfers (and so connections per host).
    public init(maxConcurrentTransfers: Int = 64) throws(HTTPError) {
        precondition(maxConcurrentTransfers > 0, "maxConcurrentTransfers must be at least 1")
        try CurlGlobal.ensureInitialized()
        guard let raw = curl_multi_init() else { throw .transfer(code: -1, message: "curl_multi_init failed (out of memory)") }
        // Keep as many idle connections as transfers may run, so a steady load never reconnects.
        _ = reasoner_curl_multi_setopt_long(raw, CURLMOPT_MAXCONNECTS, maxConcurrentTransfers)
        let shared = HTTPClientShared(multi: CurlMultiHandle(raw: raw))
        self.shared = shared
        self.maxConcurrentTransfers = maxConcurrentTransfers
        let thread = Thread { [shared, maxConcurrentTransfers] in
            var driver = CurlMultiDriver(shared: shared, limit: maxConcurrentTransfers)
            driver.run()
        }
        thread.name = "reasoner-http-driver"
        thread.start()
    }

    deinit {
        // Without an explicit shutdown the driver still has to stop; nothing can be waiting on it any more.
        shared.state.withLock { state in
            if !state.isShuttingDown {
                state.isShuttingDown = true
                if !state.hasExited { shared.multi.wakeUp() }
            }
        }
    }

    /// Sends `request` and returns its response once complete. Any status is a response; transport failures throw
    /// ``HTTPError``, and cancelling the calling task throws `CancellationError`.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let id = try shared.state.withLock { state throws(HTTPError) -> UInt64 in
            guard !state.isShuttingDown else { throw .clientShutDown }
            state.nextID += 1
            state.entries[state.nextID] = .registered
            return state.nextID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: HTTPContinuation) in
                let refusal: (any Error)? = shared.state.withLock { state in
                    if case .cancelledBeforeQueued = state.entries[id] {
                        state.entries[id] = nil
                        return CancellationError()
                    }
                    if state.isShuttingDown {
                        state.entries[id] = nil
                        return HTTPError.clientShutDown
                    }
                    state.entries[id] = .queued(request, continuation)
                    state.queue.append(id)
                    shared.multi.wakeUp()
                    return nil
                }
                if let refusal { continuation.resume(throwing: refusal) }
            }
        } onCancel: {
            let continuation: HTTPContinuation? = shared.state.withLock { state in
                switch state.entries[id] {
                case .registered:
                    state.entries[id] = .cancelledBeforeQueued
                    return nil
                case .queued(_, let continuation):
                    state.entries[id] = nil
                    state.queue.removeAll { $0 == id }
                    return continuation
                case .running:
                    state.cancelRequests.insert(id)
                    if !state.hasExited { shared.multi.wakeUp() }
                    return nil
                case .cancelledBeforeQueued, nil:
                    return nil
                }
            }
            continuation?.resume(throwing: CancellationError())
        }
    }

    /// Fails queued and running requests with ``HTTPError/clientShutDown``, frees the multi handle and waits for
    /// the driver thread to exit. Later sends throw ``HTTPError/clientShutDown``. Safe to call more than once.
    public func shutdown() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let exited = shared.state.withLock { state in
                state.isShuttingDown = true
                if state.hasExited { return true }
                state.exitWaiters.append(continuation)
                shared.multi.wakeUp()
                return false
            }
            if exited { continuation.resume() }
        }
    }
}

/// How a caller waits for its response.
typealias HTTPContinuation = CheckedContinuation<HTTPResponse, any Error>

/// Where one request stands, as callers and the driver both see it.
enum HTTPRequestEntry: Sendable {
    /// `send` registered the id and is about to queue the request.
    case registered
    /// The task was cancelled before the request was queued; `send` gives up when it sees this.
    case cancelledBeforeQueued
    /// Waiting for a free transfer slot.
    case queued(HTTPRequest, HTTPContinuation)
    /// Handed to the driver thread, which now owns the continuation.
    case running
}

/// The state shared under the client's lock.
struct HTTPClientState: Sendable {
    /// The last id handed out.
    var nextID: UInt64 = 0
    /// Every request not yet completed.
    var entries: [UInt64: HTTPRequestEntry] = [:]
    /// Queued ids in arrival order.
    var queue: [UInt64] = []
    /// Running requests whose tasks were cancelled; the driver aborts them.
    var cancelRequests: Set<UInt64> = []
    /// Set by `shutdown()` or `deinit`.
    var isShuttingDown = false
    /// Set by the driver as it exits; afterwards the multi handle is gone and must not be woken.
    var hasExited = false
    /// `shutdown()` callers waiting for the driver to exit.
    var exitWaiters: [CheckedContinuation<Void, Never>] = []
}

/// What the client and its driver thread share: the request table under a lock, and the multi handle.
final class HTTPClientShared: Sendable {
    /// The request table.
    let state = Mutex(HTTPClientState())
    /// The multi handle.
    let multi: CurlMultiHandle

    init(multi: CurlMultiHandle) { self.multi = multi }
}

/// The curl multi handle, shared between callers and the driver thread.
///
/// `@unchecked Sendable` because it only boxes a C pointer: `curl_multi_wakeup` is documented thread-safe and is
/// the only call made from other threads (always under the client's lock, before `hasExited` is set); every other
/// multi call, cleanup included, happens on the driver thread.
final class CurlMultiHandle: @unchecked Sendable {
    /// The `CURLM *`.
    let raw: UnsafeMutableRawPointer

    init(raw: UnsafeMutableRawPointer) { self.raw = raw }

    /// Interrupts the driver's `curl_multi_poll` so it looks at the shared state again.
    func wakeUp() { _ = curl_multi_wakeup(raw) }
}

/// The loop of the driver thread: starts queued transfers, drives curl, completes callers.
struct CurlMultiDriver {
    /// A transfer in flight and who waits for it.
    private struct Running {
        let id: UInt64
        let transfer: CurlTransfer
        let continuation: HTTPContinuation
    }

    let shared: HTTPClientShared
    let limit: Int
    /// Transfers in flight, by easy handle (what curl reports back).
    private var running: [UnsafeMutableRawPointer: Running] = [:]
    /// Easy handles by request id, for cancellation.
    private var handles: [UInt64: UnsafeMutableRawPointer] = [:]

    init(shared: HTTPClientShared, limit: Int) {
        self.shared = shared
        self.limit = limit
    }

    /// Runs until shutdown, then fails what is left and frees the multi handle.
    mutating func run() {
        while true {
            let freeSlots = limit - running.count
            let (starts, cancels, stopping) = shared.state.withLock { state in
                var starts: [(UInt64, HTTPRequest, HTTPContinuation)] = []
                while !state.isShuttingDown, starts.count < freeSlots, !state.queue.isEmpty {
                    let id = state.queue.removeFirst()
                    guard case .queued(let request, let continuation) = state.entries[id] else { continue }
                    state.entries[id] = .running
                    starts.append((id, request, continuation))
                }
                let cancels = state.cancelRequests
                state.cancelRequests.removeAll()
                return (starts, cancels, state.isShuttingDown)
            }
            if stopping { break }
            for (id, request, continuation) in starts { start(id: id, request: request, continuation: continuation) }
            for id in cancels {
                guard let handle = handles[id] else { continue }  // completed meanwhile
                complete(handle: handle, with: .failure(CancellationError()))
            }

            var stillRunning: Int32 = 0
            _ = curl_multi_perform(shared.multi.raw, &stillRunning)
            var messagesLeft: Int32 = 0
            var freedSlots = !cancels.isEmpty
            while let message = curl_multi_info_read(shared.multi.raw, &messagesLeft) {
                guard reasoner_curl_msg_is_done(message) != 0, let handle = reasoner_curl_msg_easy_handle(message),
                      let entry = running[handle] else { continue }
                let code = reasoner_curl_msg_result(message)
                _ = curl_multi_remove_handle(shared.multi.raw, handle)
                complete(handle: handle, with: Result { () throws(HTTPError) in try entry.transfer.finish(code) }.mapError { $0 })
                freedSlots = true
            }
            // A freed slot may let a queued request start, and no wakeUp() will announce that: look again first.
            if freedSlots { continue }
            // Sleeps until socket activity, a curl timer, or a wakeUp() from a caller.
            _ = curl_multi_poll(shared.multi.raw, nil, 0, 1000, nil)
        }
        stop()
    }

    private mutating func start(id: UInt64, request: HTTPRequest, continuation: HTTPContinuation) {
        let transfer: CurlTransfer
        do {
            transfer = try CurlTransfer(request: request)
        } catch {
            shared.state.withLock { $0.entries[id] = nil }
            continuation.resume(throwing: error)
            return
        }
        let code = curl_multi_add_handle(shared.multi.raw, transfer.handle)
        guard code == CURLM_OK else {
            shared.state.withLock { $0.entries[id] = nil }
            continuation.resume(throwing: HTTPError.transfer(code: Int(code.rawValue), message: String(cString: curl_multi_strerror(code))))
            return
        }
        running[transfer.handle] = Running(id: id, transfer: transfer, continuation: continuation)
        handles[id] = transfer.handle
    }

    /// Detaches a transfer (if curl still has it), forgets it and resumes its caller.
    private mutating func complete(handle: UnsafeMutableRawPointer, with result: Result<HTTPResponse, any Error>) {
        guard let entry = running.removeValue(forKey: handle) else { return }
        handles[entry.id] = nil
        _ = curl_multi_remove_handle(shared.multi.raw, handle)  // a no-op for a handle already removed
        shared.state.withLock { $0.entries[entry.id] = nil }
        entry.continuation.resume(with: result)
    }

    /// Fails everything still queued or running, frees curl's handles and releases `shutdown()` callers.
    private mutating func stop() {
        for handle in Array(running.keys) { complete(handle: handle, with: .failure(HTTPError.clientShutDown)) }
        let (queued, waiters) = shared.state.withLock { state in
            var queued: [HTTPContinuation] = []
            for id in state.queue {
                if case .queued(_, let continuation) = state.entries[id] { queued.append(continuation) }
                state.entries[id] = nil
            }
            state.queue.removeAll()
            state.hasExited = true
            let waiters = state.exitWaiters
            state.exitWaiters.removeAll()
            return (queued, waiters)
        }
        for continuation in queued { continuation.resume(throwing: HTTPError.clientShutDown) }
        curl_multi_cleanup(shared.multi.raw)
        for waiter in waiters { waiter.resume() }
    }
}
