import Foundation

/// An OpenAI-compatible chat-completions endpoint (OpenAI, or a local vLLM / llama.cpp / Ollama server).
public struct TeacherEndpoint: Sendable {
    /// Base URL up to the API version, e.g. `https://api.openai.com/v1` or `http://127.0.0.1:8000/v1`.
    public var baseURL: String
    /// The model, e.g. `gpt-4o-2024-05-13` (the paper's teacher).
    public var model: String
    /// The API key; nil for servers that need none. Never logged, never in argv.
    public var apiKey: String?
    /// Sampling temperature.
    public var temperature: Double
    /// Most tokens a rationale may take.
    public var maxTokens: Int
    /// Time allowed for one call.
    public var timeout: Duration
    /// What the provider charges.
    public var prices: TokenPrices

    /// Makes an endpoint.
    public init(baseURL: String, model: String, apiKey: String? = nil, temperature: Double = 0, maxTokens: Int = 512,
                timeout: Duration = .seconds(120), prices: TokenPrices = .free) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.model = model
        self.apiKey = apiKey
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.timeout = timeout
        self.prices = prices
    }

    /// The chat-completions URL.
    public var completionsURL: String { baseURL + "/chat/completions" }

    /// Reads `REASONER_TEACHER_URL`, `REASONER_TEACHER_MODEL`, and the key from `REASONER_TEACHER_API_KEY` or the
    /// file named by `REASONER_TEACHER_API_KEY_FILE` (a Docker secret).
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> TeacherEndpoint {
        guard let url = environment["REASONER_TEACHER_URL"], let model = environment["REASONER_TEACHER_MODEL"] else {
            throw TeacherConfigurationError.missing(
                "set REASONER_TEACHER_URL (e.g. https://api.openai.com/v1) and REASONER_TEACHER_MODEL")
        }
        var key = environment["REASONER_TEACHER_API_KEY"]
        if key == nil, let file = environment["REASONER_TEACHER_API_KEY_FILE"] {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw TeacherConfigurationError.missing("cannot read the API key file \(file)")
            }
            key = text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return TeacherEndpoint(baseURL: url, model: model, apiKey: key)
    }
}

/// The teacher's settings are missing or unreadable.
public enum TeacherConfigurationError: Error, CustomStringConvertible {
    /// What to set.
    case missing(String)

    public var description: String {
        switch self {
        case .missing(let advice): return "teacher endpoint not configured: \(advice)"
        }
    }
}
