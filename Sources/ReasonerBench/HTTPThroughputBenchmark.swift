import ArgumentParser
import Dispatch
import Foundation
import HTTP
import HTTPTestServer
import Synchronization
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `reasoner-bench http-throughput`: completed calls per second through ``HTTPClient`` against a local server that
/// answers each call after a fixed delay, the shape of a teacher's chat-completion traffic, side by side with
/// Foundation's `URLSession`, the client Swift code would otherwise use.
struct HTTPThroughputBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "http-throughput",
        abstract: "Calls/s of the curl multi client (and URLSession) at several concurrency levels against a delaying local server."
    )

    @Option(help: "Server-side delay per call, in milliseconds (a chat completion's latency).")
    var delayMilliseconds = 200

    @Option(parsing: .upToNextOption, help: "Concurrency levels to measure (callers in flight).")
    var concurrency: [Int] = [1, 8, 32, 64]

    @Option(help: "Calls each concurrent caller makes per level.")
    var callsPerCaller = 10

    @Flag(help: "Skip the URLSession column.")
    var skipURLSession = false

    func validate() throws {
        guard delayMilliseconds >= 0 else { throw ValidationError("--delay-milliseconds must be 0 or more") }
        guard !concurrency.isEmpty, concurrency.allSatisfy({ $0 > 0 }) else {
            throw ValidationError("--concurrency needs one or more positive levels, e.g. --concurrency 1 8 32 64")
        }
        guard callsPerCaller > 0 else { throw ValidationError("--calls-per-caller must be at least 1") }
    }

    func run() throws {
        let reply = Array(#"{"choices":[{"message":{"role":"assistant","content":"\#(String(repeating: "step ", count: 150))"}}]}"#.utf8)
        let delay = Duration.milliseconds(delayMilliseconds)
        let server = try LocalHTTPServer(route: { _ in
            .respond(status: 200, headers: [("Content-Type", "application/json")], body: reply, delay: delay)
        })
        defer { server.stop() }
        let body = Array(#"{"model":"teacher","messages":[{"role":"user","content":"\#(String(repeating: "describe ", count: 200))"}]}"#.utf8)
        let request = HTTPRequest.postJSON(url: server.baseURL + "/v1/chat/completions", body: body, timeout: .seconds(30))

        print("http-throughput: local server delays \(delayMilliseconds) ms per call; \(callsPerCaller) calls per caller; "
              + "\(ProcessInfo.processInfo.activeProcessorCount) cores")
        print("concurrency  ideal calls/s  HTTPClient calls/s  (of ideal)  URLSession calls/s  (of ideal)")
        for level in concurrency {
            let ideal = delayMilliseconds == 0 ? Double.infinity : Double(level) * 1000 / Double(delayMilliseconds)
            let ours = try Self.blocking {
                let client = try HTTPClient(maxConcurrentTransfers: level)
                let rate = try await Self.callsPerSecond(concurrency: level, callsPerCaller: callsPerCaller) {
                    try await client.send(request).status
                }
                await client.shutdown()
                return rate
            }
            var peerColumns = "—"
            if !skipURLSession {
                let peer = try Self.blocking {
                    let configuration = URLSessionConfiguration.ephemeral
                    configuration.httpMaximumConnectionsPerHost = level
                    let session = URLSession(configuration: configuration)
                    defer { session.invalidateAndCancel() }
                    var urlRequest = URLRequest(url: URL(string: request.url)!)
                    urlRequest.httpMethod = "POST"
                    urlRequest.httpBody = Data(body)
                    urlRequest.setValue("application/json", forHTTPHeaderField: "Content-Type")
                    let prepared = urlRequest
                    return try await Self.callsPerSecond(concurrency: level, callsPerCaller: callsPerCaller) {
                        let (_, response) = try await session.data(for: prepared)
                        return (response as? HTTPURLResponse)?.statusCode ?? 0
                    }
                }
                peerColumns = "\(Self.format(peer, width: 18))  \(Self.percent(peer, of: ideal))"
            }
            print("\(Self.format(Double(level), width: 11, decimals: 0))  \(Self.format(ideal, width: 13))  "
                  + "\(Self.format(ours, width: 18))  \(Self.percent(ours, of: ideal))  \(peerColumns)")
        }
    }

    /// Runs `concurrency` callers that each make `callsPerCaller` calls one after another; completed calls per second.
    static func callsPerSecond(concurrency: Int, callsPerCaller: Int,
                                       call: @escaping @Sendable () async throws -> Int) async throws -> Double {
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    for _ in 0..<callsPerCaller {
                        let status = try await call()
                        guard status == 200 else { throw HTTPThroughputError.unexpectedStatus(status) }
                    }
                }
            }
            try await group.waitForAll()
        }
        let (seconds, attoseconds) = (ContinuousClock.now - start).components
        return Double(concurrency * callsPerCaller) / (Double(seconds) + Double(attoseconds) / 1e18)
    }

    /// Runs async work from this synchronous command (the benchmark root is a synchronous `ParsableCommand`);
    /// the main thread waits while the work runs on the concurrency pool.
    static func blocking<Value: Sendable>(_ work: @escaping @Sendable () async throws -> Value) throws -> Value {
        let outcome = BenchmarkOutcome<Value>()
        let done = DispatchSemaphore(value: 0)
        Task {
            let result: Result<Value, any Error>
            do { result = .success(try await work()) } catch { result = .failure(error) }
            outcome.result.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        return try outcome.result.withLock { $0! }.get()
    }

    /// `rate` as a percentage of `ideal`, blank when there is no finite ideal (zero delay).
    private static func percent(_ rate: Double, of ideal: Double) -> String {
        ideal.isFinite ? format(100 * rate / ideal, width: 9) + "%" : String(repeating: " ", count: 9) + "—"
    }

    private static func format(_ value: Double, width: Int, decimals: Int = 1) -> String {
        let text = value.isFinite ? String(format: "%.\(decimals)f", value) : "∞"
        return String(repeating: " ", count: max(0, width - text.count)) + text
    }
}

/// Hands a result from the benchmark task back to the waiting main thread.
private final class BenchmarkOutcome<Value: Sendable>: Sendable {
    let result = Mutex<Result<Value, any Error>?>(nil)
}

/// A benchmark call did not succeed.
enum HTTPThroughputError: Error, CustomStringConvertible {
    /// The local server answered with another status than 200; the benchmark measures only successful calls.
    case unexpectedStatus(Int)

    var description: String {
        switch self {
        case .unexpectedStatus(let status): "a benchmark call returned HTTP \(status) instead of 200"
        }
    }
}
