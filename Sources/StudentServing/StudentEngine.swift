import Foundation
import Imaging
import Model
import Synchronization
import Tensor
import Tokenization

/// One generated choice.
struct GeneratedChoice: Sendable {
    /// The reply's text.
    var text: String
    /// Its tokens (without the stop token).
    var tokens: [Int]
    /// `stop` (the model ended its turn) or `length` (it hit max_tokens or the context).
    var finishReason: String
    /// Per token, when asked for.
    var logprobs: [TokenLogprob]?
}

/// A token's log-probability under the model and the most likely alternatives at its position.
struct TokenLogprob: Sendable, Equatable {
    var token: Int
    var logprob: Double
    var top: [(token: Int, logprob: Double)]

    static func == (lhs: TokenLogprob, rhs: TokenLogprob) -> Bool {
        lhs.token == rhs.token && lhs.logprob == rhs.logprob && lhs.top.map(\.token) == rhs.top.map(\.token)
            && lhs.top.map(\.logprob) == rhs.top.map(\.logprob)
    }
}

/// The student behind the server. A model is run by one caller at a time (its tapes and parameter buffers are not
/// shared), so requests take turns on a lock; each still uses every core inside `generate`. Taking turns also keeps
/// seeded requests reproducible: a request is never batched with another, so its choices do not depend on traffic.
final class StudentEngine: Sendable {
    /// The checkpoint's content hash (SHA-256 of its weights).
    let contentHash: String
    private let student: Mutex<Student>

    /// The loaded model and its chat template.
    private struct Student {
        let model: StudentVLM
        let tokenizer: Tokenizer
        let template: ChatTemplate
    }

    /// Loads the checkpoint in `directory`.
    init(checkpoint directory: URL) throws {
        let loaded = try StudentCheckpoint.load(from: directory)
        contentHash = loaded.contentHash
        student = Mutex(Student(model: loaded.model, tokenizer: loaded.tokenizer,
                                template: try ChatTemplate(tokenizer: loaded.tokenizer)))
    }

    /// Runs a job: `n` choices from one prefill, seeded per choice (choice `j` draws from stream `j` of the seed), and
    /// their token log-probabilities when asked. Returns the choices and the prompt's length in positions (text
    /// tokens and image patches).
    func complete(_ job: CompletionJob) throws(APIError) -> (choices: [GeneratedChoice], promptTokens: Int) {
        try student.withLock { student throws(APIError) -> ([GeneratedChoice], Int) in
            let prompt: EncodedConversation
            do {
                prompt = try student.template.encodeForGeneration(job.conversation)
            } catch {
                throw .invalid("\(error)", param: "messages")
            }
            let config = student.model.config
            let options = GenerationOptions.stoppingAtEndOfTurn(
                student.template, sampling: job.sampling, maxNewTokens: min(job.maxTokens, config.contextLength),
                seed: job.seed)
            do {
                let sequences = try student.model.generate(image: job.image, prompt: prompt, samples: job.n,
                                                           options: options)
                let logprobs = try job.topLogprobs.map { top throws(ModelError) in
                    try TokenLogprobs.compute(student.model, image: job.image, prompt: prompt,
                                              responses: sequences.map(\.tokens), top: top)
                }
                let choices = try sequences.indices.map { index throws(TokenizerError) in
                    let sequence = sequences[index]
                    return GeneratedChoice(text: try student.tokenizer.decode(sequence.tokens),
                                           tokens: sequence.tokens, finishReason: sequence.stopped ? "stop" : "length",
                                           logprobs: logprobs?[index])
                }
                return (choices, prompt.tokens.count - prompt.imagePositions.count + config.patchesPerImage)
            } catch let error as ModelError {
                if case .invalidInput(let reason) = error { throw .invalid(reason, param: "messages") }
                throw .server("the model failed: \(error)")
            } catch {
                throw .server("decoding the reply failed: \(error)")
            }
        }
    }

    /// The text and UTF-8 bytes of one token.
    func tokenText(_ token: Int) -> (text: String, bytes: [UInt8]) {
        student.withLock { student in
            let bytes = (try? student.tokenizer.decodeBytes([token])) ?? []
            return (String(decoding: bytes, as: UTF8.self), bytes)
        }
    }
}

/// Per-token log-probabilities of responses under the model: one forward pass over prompt and response (a few
/// responses at a time), the log-softmax of the raw logits at each response position — the model's own
/// distribution, before temperature, top-k or top-p. Their sum is the response's `responseLogProbs`.
enum TokenLogprobs {
    /// Responses scored per forward pass (bounds the logits held at once).
    static let batch = 4

    static func compute(_ model: StudentVLM, image: RGBImage, prompt: EncodedConversation, responses: [[Int]],
                        top: Int) throws(ModelError) -> [[TokenLogprob]] {
        let examples = try responses.map { response throws(ModelError) in
            try VLMExample(image: image, prompt: prompt, response: response)
        }
        let promptLength = prompt.tokens.count - prompt.imagePositions.count
        let p = model.config.patchesPerImage, v = model.config.vocabSize
        let tape = Tape(parameters: model.parameters)
        var out: [[TokenLogprob]] = []
        for start in stride(from: 0, to: examples.count, by: batch) {
            let chunk = Array(examples[start..<min(start + batch, examples.count)])
            tape.reset()
            let forward = try model.forward(tape, chunk)
            let logits = tape.value(forward.logits)
            let length = chunk.map(\.tokens.count).max()!
            for (b, example) in chunk.enumerated() {
                var tokens: [TokenLogprob] = []
                for j in promptLength..<example.tokens.count {
                    // Row `patches - 1 + j` of the example predicts its text token j.
                    let offset = (b * (p + length) + p - 1 + j) * v
                    let row = UnsafeBufferPointer(rebasing: logits[offset..<(offset + v)])
                    tokens.append(logprob(of: example.tokens[j], in: row, top: top))
                }
                out.append(tokens)
            }
        }
        return out
    }

    /// The log-softmax at `token` and the `top` largest, in descending order (ties by token id).
    static func logprob(of token: Int, in logits: UnsafeBufferPointer<Float>, top: Int) -> TokenLogprob {
        let maximum = Double(logits.max() ?? 0)
        var total = 0.0
        for value in logits { total += exp(Double(value) - maximum) }
        let logTotal = maximum + log(total)
        var best: [(token: Int, logprob: Double)] = []
        if top > 0 {
            let order = logits.indices.sorted { logits[$0] > logits[$1] || (logits[$0] == logits[$1] && $0 < $1) }
            best = order.prefix(top).map { ($0, Double(logits[$0]) - logTotal) }
        }
        return TokenLogprob(token: token, logprob: Double(logits[token]) - logTotal, top: best)
    }
}
