import Foundation
import HTTPServer

/// Why the server cannot start.
public enum ServeError: Error, Equatable, CustomStringConvertible {
    /// Bound beyond loopback without a token: anyone who can reach the port could use the model.
    case tokenRequired(host: String)
    /// The token is empty.
    case emptyToken(source: String)

    public var description: String {
        switch self {
        case .tokenRequired(let host):
            return "serving on \(host) exposes the model beyond this machine; set REASONER_SERVE_TOKEN (or "
                + "REASONER_SERVE_TOKEN_FILE, or --token-file) to a secret clients send as a bearer token, or bind "
                + "127.0.0.1"
        case .emptyToken(let source):
            return "the serve token from \(source) is empty; put the secret in it"
        }
    }
}

/// An OpenAI-compatible server for a Reasoner student: `POST /v1/chat/completions` (one image per request as a
/// `data:` URL, `n`, `temperature`, `top_p`, `top_k`, `seed`, `max_tokens`, `logprobs` / `top_logprobs`),
/// `GET /v1/models`, `GET /v1/models/{id}` and `GET /health`. With a token, every route but `/health` needs
/// `Authorization: Bearer <token>`; beyond loopback a token is required.
public final class StudentServer: Sendable {
    private let http: HTTPServer
    /// The port bound.
    public var port: Int { http.port }
    /// The model id clients name.
    public let modelName: String

    /// Loads the checkpoint and starts serving on `host:port` (0: any free port).
    public init(checkpoint: URL, host: String = "127.0.0.1", port: Int, modelName: String, token: String?,
                limits: HTTPServerLimits = HTTPServerLimits()) throws {
        let service = ChatService(engine: try StudentEngine(checkpoint: checkpoint), modelName: modelName,
                                  token: token, created: Int(Date().timeIntervalSince1970))
        let http = try HTTPServer(host: host, port: port, limits: limits) { service.reply(to: $0) }
        guard http.isLoopback || token != nil else {
            http.stop()
            throw ServeError.tokenRequired(host: host)
        }
        self.http = http
        self.modelName = modelName
    }

    /// Stops serving; a request in hand finishes on its own thread.
    public func stop() { http.stop() }

    /// The serve token from `REASONER_SERVE_TOKEN`, else the file `REASONER_SERVE_TOKEN_FILE` or `file` names; nil
    /// when none is set. Never from argv, so it does not show in `ps`.
    public static func token(environment: [String: String], file: String?) throws -> String? {
        if let value = environment["REASONER_SERVE_TOKEN"] {
            guard !value.allSatisfy(\.isWhitespace) else { throw ServeError.emptyToken(source: "REASONER_SERVE_TOKEN") }
            return value
        }
        guard let path = file ?? environment["REASONER_SERVE_TOKEN_FILE"] else { return nil }
        let text = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw ServeError.emptyToken(source: path) }
        return text
    }
}

/// The routes, the token check and the JSON of every answer.
struct ChatService: Sendable {
    let engine: StudentEngine
    let modelName: String
    let token: String?
    let created: Int

    func reply(to request: HTTPServerRequest) -> HTTPServerReply {
        do {
            return json(200, try route(request))
        } catch {
            return .respond(status: error.status, headers: [("Content-Type", "application/json")], body: error.body)
        }
    }

    private func route(_ request: HTTPServerRequest) throws(APIError) -> [UInt8] {
        let path = request.route
        if path == "/health" { return Array(#"{"status":"ok"}"#.utf8) }
        if let token, !Self.authorized(request.header("Authorization"), token: token) { throw .unauthorized }
        switch path {
        case "/v1/chat/completions":
            guard request.method == "POST" else { throw .wrongMethod(request.method, path: path, allowed: "POST") }
            return try completion(request.body)
        case "/v1/models":
            guard request.method == "GET" else { throw .wrongMethod(request.method, path: path, allowed: "GET") }
            return encode(ModelListWire(data: [ModelWire(id: modelName, created: created)]))
        case "/v1/models/" + modelName:
            guard request.method == "GET" else { throw .wrongMethod(request.method, path: path, allowed: "GET") }
            return encode(ModelWire(id: modelName, created: created))
        default:
            if path.hasPrefix("/v1/models/") {
                throw .notFound("the model \(path.dropFirst("/v1/models/".count)) does not exist; this server serves "
                                + modelName, code: "model_not_found")
            }
            throw .notFound("no route \(path); use POST /v1/chat/completions or GET /v1/models")
        }
    }

    private func completion(_ body: [UInt8]) throws(APIError) -> [UInt8] {
        let job = try CompletionJob.parse(body, modelName: modelName)
        let (choices, promptTokens) = try engine.complete(job)
        let wire = choices.enumerated().map { index, choice in
            ChoiceWire(index: index, message: AssistantWire(content: choice.text),
                       logprobs: choice.logprobs.map { LogprobsWire(content: $0.map(tokenWire)) },
                       finishReason: choice.finishReason)
        }
        let completionTokens = choices.reduce(0) { $0 + $1.tokens.count }
        return encode(ChatResponseWire(
            id: "chatcmpl-" + UUID().uuidString.lowercased(), created: Int(Date().timeIntervalSince1970),
            model: modelName, systemFingerprint: "reasoner-" + engine.contentHash.prefix(16), choices: wire,
            usage: UsageWire(promptTokens: promptTokens, completionTokens: completionTokens,
                             totalTokens: promptTokens + completionTokens)))
    }

    private func tokenWire(_ entry: TokenLogprob) -> TokenLogprobWire {
        let (text, bytes) = engine.tokenText(entry.token)
        return TokenLogprobWire(token: text, logprob: entry.logprob, bytes: bytes, topLogprobs: entry.top.map {
            let (text, bytes) = engine.tokenText($0.token)
            return TopLogprobWire(token: text, logprob: $0.logprob, bytes: bytes)
        })
    }

    private func encode(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array((try? encoder.encode(value)) ?? Data())
    }

    private func json(_ status: Int, _ body: [UInt8]) -> HTTPServerReply {
        .respond(status: status, headers: [("Content-Type", "application/json")], body: body)
    }

    /// Whether the header carries the token; compared in time that does not depend on where they differ.
    static func authorized(_ header: String?, token: String) -> Bool {
        guard let header, header.hasPrefix("Bearer ") else { return false }
        let given = Array(header.dropFirst("Bearer ".count).utf8), expected = Array(token.utf8)
        var difference = UInt8(given.count == expected.count ? 0 : 1)
        for i in 0..<max(given.count, expected.count) {
            difference |= (i < given.count ? given[i] : 0) ^ (i < expected.count ? expected[i] : 0)
        }
        return difference == 0
    }
}
