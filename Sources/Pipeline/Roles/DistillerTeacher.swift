import Artifacts
import Foundation
import HTTP
import State
import Teacher

/// The endpoint teacher of a distiller process, configured from its environment: `REASONER_TEACHER_URL`,
/// `REASONER_TEACHER_MODEL`, `REASONER_TEACHER_API_KEY[_FILE]`, and optionally `REASONER_TEACHER_CONCURRENCY`
/// (default 32), `REASONER_TEACHER_RPM` / `REASONER_TEACHER_TPM` (limits shared by every distiller through Redis),
/// `REASONER_TEACHER_PRICE_PROMPT` / `REASONER_TEACHER_PRICE_COMPLETION` (dollars per million tokens). Responses are
/// cached in the artifacts volume.
public struct DistillerTeacher: Sendable {
    /// The teacher.
    public let teacher: ChatTeacher
    /// Its HTTP client (shut it down when the worker stops).
    public let http: HTTPClient

    /// The teacher the environment describes, or nil when `REASONER_TEACHER_URL` is not set (offline teacher only).
    public static func fromEnvironment(artifacts: ArtifactStore, store: RedisStateStore,
                                       environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> DistillerTeacher? {
        guard let url = environment["REASONER_TEACHER_URL"], !url.isEmpty else { return nil }
        var endpoint = try TeacherEndpoint.fromEnvironment(environment)
        endpoint.prices = TokenPrices(
            promptPerMillion: try EnvironmentSettings.number("REASONER_TEACHER_PRICE_PROMPT", environment) ?? 0,
            completionPerMillion: try EnvironmentSettings.number("REASONER_TEACHER_PRICE_COMPLETION", environment) ?? 0)
        if let timeout = try EnvironmentSettings.number("REASONER_TEACHER_TIMEOUT_SECONDS", environment) {
            endpoint.timeout = .milliseconds(Int(timeout * 1000))
        }
        let concurrency = try EnvironmentSettings.integer("REASONER_TEACHER_CONCURRENCY", default: 32, environment)
        var limiter: (any RateLimiter)?
        if let rpm = try EnvironmentSettings.number("REASONER_TEACHER_RPM", environment).map({ Int($0) }),
           let tpm = try EnvironmentSettings.number("REASONER_TEACHER_TPM", environment).map({ Int($0) }) {
            limiter = SharedRateLimiter(store: store, name: "\(endpoint.baseURL)|\(endpoint.model)",
                                        requestsPerMinute: rpm, tokensPerMinute: tpm)
        }
        let http = try HTTPClient(maxConcurrentTransfers: max(concurrency, 1))
        return DistillerTeacher(
            teacher: ChatTeacher(endpoint: endpoint, http: http, maxConcurrency: concurrency, limiter: limiter,
                                 cache: TeacherCache(artifacts: artifacts)),
            http: http)
    }
}
