import ArgumentParser
import Foundation
import Model
import Tensor

/// `reasoner-bench scoring`: summed response log-probs of `--pairs` (image, prompt, response) pairs — the verifier's
/// and DPO's scoring — with the reference student, in Swift (`responseLogProbs`) and in the PyTorch reference
/// (Tests/Reference/bench_student_vlm.py: inference mode, the same length-sorted batches) on the same inputs.
struct ScoringBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scoring",
        abstract: "Response-scoring speed of the student VLM against PyTorch (target: >= 1.2x PyTorch).")

    @Option(help: "(prompt, response) pairs to score.")
    var pairs = 256

    @Option(help: "Distinct images and prompts the pairs draw on (several chains per question, as the verifier sees).")
    var prompts = 32

    @Option(help: "Prompt length in tokens (after the 64 image patches).")
    var promptLength = 32

    @Option(help: "Shortest response in tokens.")
    var minResponse = 16

    @Option(help: "Longest response in tokens.")
    var maxResponse = 128

    @Option(help: "Pairs per forward pass.")
    var batch = 32

    @OptionGroup var common: StudentBenchmarkOptions

    func validate() throws {
        guard pairs > 0, prompts > 0, batch > 0, minResponse > 0, maxResponse >= minResponse else {
            throw ValidationError("need positive --pairs, --prompts, --batch and 0 < --min-response <= --max-response")
        }
    }

    func run() throws {
        BLAS.setThreads(common.threads)
        var rng = SplitMix64(seed: 11)
        let imageOf = (0..<pairs).map { $0 % prompts }
        let responses = (0..<pairs).map { _ in
            (0..<(minResponse + Int(rng.next() % UInt64(maxResponse - minResponse + 1)))).map { _ in
                Int(rng.next() % UInt64(common.vocab))
            }
        }
        let padded = responses.flatMap { r in r.map { Int32($0) } + [Int32](repeating: 0, count: maxResponse - r.count) }
        let workload = try StudentWorkload(prompts: prompts, promptLength: promptLength, vocab: common.vocab, seed: 9,
                                           extra: ["responses": .i32(padded, shape: [pairs, maxResponse]),
                                                   "lengths": .i32(responses.map { Int32($0.count) }, shape: [pairs]),
                                                   "image_of": .i32(imageOf.map { Int32($0) }, shape: [pairs])])
        defer { workload.remove() }
        let examples = zip(imageOf, responses).map { i, response in
            VLMExample(image: workload.images[i], tokens: workload.prompts[i] + response,
                       lossMask: [Bool](repeating: false, count: promptLength)
                           + [Bool](repeating: true, count: response.count))
        }
        var sum: Float = 0
        let swift = try StudentWorkload.time(warmup: common.warmup, rounds: common.rounds) { _ in
            sum = try workload.model.responseLogProbs(examples, batchSize: batch).reduce(0, +)
        }
        let tokens = responses.reduce(0) { $0 + $1.count }
        print("scoring: \(pairs) pairs over \(prompts) images/prompts (prompt \(promptLength) tokens + 64 image "
              + "patches, responses \(minResponse)-\(maxResponse) tokens, \(tokens) in all), batch \(batch), "
              + "vocab \(common.vocab), \(common.threads) threads, median of \(common.rounds)")
        print(String(format: "  Swift:   %7.3f s  %8.1f pairs/s  (best %.3f s; sum of log-probs %.1f)", swift.median,
                     Double(pairs) / swift.median, swift.best, sum))
        guard !common.noTorch else { return }
        let torch = try TorchPeer.run(script: "bench_student_vlm.py", arguments: [
            "--task", "scoring", "--dir", workload.directory.path, "--batch", "\(batch)",
        ] + common.torchArguments, required: ["seconds", "best", "units", "checksum"])
        print(String(format: "  PyTorch: %7.3f s  %8.1f pairs/s  (best %.3f s; sum of log-probs %.1f)",
                     torch["seconds"]!, torch["units"]! / torch["seconds"]!, torch["best"]!, torch["checksum"]!))
        print(String(format: "  ratio Swift/PyTorch: %.2fx (target >= 1.2x)", torch["seconds"]! / swift.median))
    }
}
