import ArgumentParser
import Foundation
import Model
import Tensor

/// `reasoner-bench sampling`: the sampler's job — `--samples` chains of `--new-tokens` tokens at temperature 1 for
/// each of `--prompts` image prompts — with the reference student (64x64 images, vision d128x2, decoder d128x4), in
/// Swift and in the PyTorch reference (Tests/Reference/bench_student_vlm.py: inference mode, KV cache, every chain
/// batched, the prompt prefix run once per prompt) on the same weights and inputs.
struct SamplingBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sampling",
        abstract: "Chain-sampling speed of the student VLM against PyTorch (target: >= 1.5x PyTorch).")

    @Option(help: "Prompts (each with its own image).")
    var prompts = 32

    @Option(help: "Chains per prompt.")
    var samples = 16

    @Option(help: "New tokens per chain (no stop token: every chain runs to this length).")
    var newTokens = 128

    @Option(help: "Prompt length in tokens (after the 64 image patches).")
    var promptLength = 32

    @OptionGroup var common: StudentBenchmarkOptions

    func run() throws {
        BLAS.setThreads(common.threads)
        let workload = try StudentWorkload(prompts: prompts, promptLength: promptLength, vocab: common.vocab, seed: 7)
        defer { workload.remove() }
        let requests = zip(workload.images, workload.prompts).map {
            GenerationRequest(image: $0, promptTokens: $1, samples: samples)
        }
        var tokens = 0
        let swift = try StudentWorkload.time(warmup: common.warmup, rounds: common.rounds) { round in
            let options = GenerationOptions(sampling: SamplingOptions(temperature: 1), maxNewTokens: newTokens,
                                            stopTokens: [], seed: UInt64(round))
            tokens = try workload.model.generate(requests, options: options).joined().reduce(0) { $0 + $1.tokens.count }
        }
        print("sampling: \(prompts) prompts x \(samples) chains x \(newTokens) new tokens (prompt \(promptLength) "
              + "tokens + 64 image patches), reference student, vocab \(common.vocab), "
              + "\(workload.model.parameters.count) parameters, \(common.threads) threads, median of \(common.rounds)")
        print(String(format: "  Swift:   %7.2f s  %8.0f tokens/s  (best %.2f s)", swift.median,
                     Double(tokens) / swift.median, swift.best))
        guard !common.noTorch else { return }
        let torch = try TorchPeer.run(script: "bench_student_vlm.py", arguments: [
            "--task", "sampling", "--dir", workload.directory.path, "--samples", "\(samples)",
            "--new-tokens", "\(newTokens)",
        ] + common.torchArguments, required: ["seconds", "best", "units", "checksum"])
        let torchRate = torch["units"]! / torch["seconds"]!
        print(String(format: "  PyTorch: %7.2f s  %8.0f tokens/s  (best %.2f s)", torch["seconds"]!, torchRate,
                     torch["best"]!))
        print(String(format: "  ratio Swift/PyTorch: %.2fx (target >= 1.5x)", Double(tokens) / swift.median / torchRate))
    }
}
