import ArgumentParser
import Foundation
import HTTP
import HTTPTestServer
import Synchronization
import Teacher

/// `reasoner-bench teacher-throughput`: completed teacher calls per second through ``ChatTeacher`` (request with a
/// base64 PNG, retries and accounting, JSON decoding) against a local chat-completions server that answers after a
/// fixed latency, at several concurrency levels, next to the ideal `concurrency / latency`.
struct TeacherThroughputBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "teacher-throughput",
        abstract: "Teacher calls/s through ChatTeacher at several concurrency levels against a delaying local server.")

    @Option(help: "Server-side latency per call, in milliseconds.")
    var latencyMilliseconds = 200

    @Option(parsing: .upToNextOption, help: "Concurrency levels (calls in flight).")
    var concurrency: [Int] = [1, 8, 32, 64]

    @Option(help: "Calls each concurrent caller makes per level.")
    var callsPerCaller = 10

    func run() throws {
        let rationale = String(repeating: "The red bar is 7. ", count: 12) + "\\n\\n### Answer: 7"
        let reply = Array(#"{"choices":[{"index":0,"message":{"role":"assistant","content":"\#(rationale)"},"finish_reason":"stop"}],"usage":{"prompt_tokens":812,"completion_tokens":96}}"#.utf8)
        let latency = Duration.milliseconds(latencyMilliseconds)
        let server = try LocalHTTPServer { _ in
            .respond(status: 200, headers: [("Content-Type", "application/json")], body: reply, delay: latency)
        }
        defer { server.stop() }
        let image = [UInt8]((0..<2_048).map { UInt8($0 % 251) })  // about a 64x64 suite PNG
        print("teacher-throughput: local server answers after \(latencyMilliseconds) ms; \(callsPerCaller) calls per "
              + "caller; \(ProcessInfo.processInfo.activeProcessorCount) cores")
        print("concurrency  ideal calls/s  ChatTeacher calls/s  (of ideal)")
        for level in concurrency {
            let rate = try HTTPThroughputBenchmark.blocking {
                let http = try HTTPClient(maxConcurrentTransfers: level)
                let teacher = ChatTeacher(endpoint: TeacherEndpoint(baseURL: server.baseURL + "/v1", model: "bench"),
                                          http: http, maxConcurrency: level)
                let counter = CallCounter()
                let rate = try await HTTPThroughputBenchmark.callsPerSecond(concurrency: level,
                                                                            callsPerCaller: callsPerCaller) {
                    // A distinct question per call, so that no answer comes from a cache.
                    let reply = await teacher.ask(system: "Generate a rationale first.",
                                                  instruction: "How tall is bar \(counter.next())?", imagePNG: image)
                    guard case .answered = reply else { return 500 }
                    return 200
                }
                await http.shutdown()
                return rate
            }
            let ideal = Double(level) * 1000 / Double(latencyMilliseconds)
            print(String(format: "%11d  %13.1f  %19.1f  %9.1f%%", level, ideal, rate, 100 * rate / ideal))
        }
    }
}

/// Numbers the calls so every question differs.
private final class CallCounter: Sendable {
    private let value = Mutex(0)
    func next() -> Int { value.withLock { $0 += 1; return $0 } }
}
