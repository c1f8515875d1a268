import ArgumentParser
import Dispatch
import Foundation
import StudentServing

/// `reasoner serve CHECKPOINT`: the student behind an OpenAI-compatible endpoint.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a student checkpoint as an OpenAI-compatible /v1/chat/completions endpoint.",
        discussion: """
        Routes: POST /v1/chat/completions, GET /v1/models, GET /v1/models/{id}, GET /health. Each request carries
        exactly one image, as an image_url content part with a data: URL (PNG or JPEG), in a user message; the
        server fetches nothing. Honoured: n (1-64), temperature (0 = greedy), top_p, top_k, seed (the same request
        with the same seed gives the same choices), max_tokens / max_completion_tokens, logprobs and top_logprobs
        (0-20: the model's own log-probabilities of the chosen tokens, before temperature and top-p). stream is
        refused. Errors are OpenAI's {"error": {"message", "type", "param", "code"}}.

        Bound to 127.0.0.1 by default. A token is required to bind anything else: REASONER_SERVE_TOKEN, or a file
        named by REASONER_SERVE_TOKEN_FILE or --token-file (never on the command line); clients send it as
        Authorization: Bearer <token>. With a token set, it is required on loopback too. Stop with SIGINT or SIGTERM.
        """
    )

    @Argument(help: "The checkpoint folder (config.json, model.safetensors, tokenizer.json).")
    var checkpoint: String

    @Option(help: "The address to bind: 127.0.0.1 (default), ::1, or 0.0.0.0 with a token.")
    var host: String = "127.0.0.1"

    @Option(help: "The port (0: any free port, printed at start).")
    var port: Int = 8000

    @Option(help: "The model id clients name (default: the checkpoint folder's name).")
    var modelName: String?

    @Option(help: "A file holding the bearer token (or set REASONER_SERVE_TOKEN / REASONER_SERVE_TOKEN_FILE).")
    var tokenFile: String?

    func run() async throws {
        let url = URL(fileURLWithPath: checkpoint)
        let name = modelName ?? url.standardizedFileURL.lastPathComponent
        let token = try StudentServer.token(environment: ProcessInfo.processInfo.environment, file: tokenFile)
        let server = try StudentServer(checkpoint: url, host: host, port: port, modelName: name, token: token)
        print("serving \(name) on http://\(host.contains(":") ? "[\(host)]" : host):\(server.port)/v1"
              + (token == nil ? "" : " (bearer token required)"))
        fflush(nil)  // every stream: the address shows at once, also when stdout is a log file
        await Self.waitForSignal()
        server.stop()
        print("stopped")
    }

    /// Returns when SIGINT or SIGTERM arrives.
    private static func waitForSignal() async {
        let (signals, arrival) = AsyncStream<Void>.makeStream()
        let sources = [SIGINT, SIGTERM].map { number -> any DispatchSourceSignal in
            signal(number, SIG_IGN)  // delivered to the source instead of ending the process
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { arrival.yield() }
            source.resume()
            return source
        }
        for await _ in signals { break }
        withExtendedLifetime(sources) {}
    }
}
