import ArgumentParser
import Foundation
import Tensor

/// `reasoner-bench train-step`: one training step (forward + backward + clipping + AdamW) of the reference decoder
/// (d_model 128, 4 layers, 4 heads, MLP 512, vocab 256, context 256, batch 16) in Swift, next to the same step in
/// PyTorch (Tests/Reference/bench_train_step.py, 2 threads, fp32, scaled_dot_product_attention).
struct TrainStepBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-step",
        abstract: "Training-step speed of the Tensor module against PyTorch (target: >= 1.1x PyTorch)."
    )

    @Option(help: "lm (text decoder) or vlm (2-layer ViT over 64x64 images in 8x8 patches, prefixed to the text).")
    var variant: String = "lm"

    @Option(help: "Timed steps (the median is reported).")
    var steps: Int = 10

    @Option(help: "Untimed warm-up steps.")
    var warmup: Int = 2

    @Option(help: "Cores the tensor engine uses (Parallelism.workers; OpenBLAS itself runs on one thread).")
    var threads: Int = 2

    @Option(help: "PyTorch intra-op threads (default: --threads); on a loaded machine compare 1 and 2.")
    var torchThreads: Int?

    @Flag(help: "Print time per op kind (forward and backward) over the timed steps.")
    var profile = false

    @Flag(help: "Skip the PyTorch peer.")
    var noTorch = false

    func run() throws {
        guard variant == "lm" || variant == "vlm" else {
            throw ValidationError("--variant must be lm or vlm")
        }
        let vlm = variant == "vlm"
        BLAS.setThreads(threads)
        let batch = 16, context = 256, vocab = 256, imagePatches = 64, patchValues = 8 * 8 * 3
        let text = vlm ? context - imagePatches : context
        let config = TransformerConfiguration(dModel: 128, heads: 4, mlpHidden: 512, layers: 4)
        let store = ParameterStore()
        let model = DecoderLM(store, config, vocab: vocab, context: context, seed: 1)
        var rng = SplitMix64(seed: 2)
        let visionConfig = TransformerConfiguration(dModel: 128, heads: 4, mlpHidden: 512, layers: 2, norm: .layer,
                                                    causal: false, bias: true)
        let vision = vlm ? VisionEncoder(store, prefix: "vision.", visionConfig, patches: imagePatches,
                                         patchValues: patchValues, outDim: 128, rng: &rng) : nil
        let opt = AdamW(store)
        let tape = Tape(parameters: store)
        let ids = (0..<(batch * text)).map { _ in Int32(rng.next() % UInt64(vocab)) }
        let targets = (0..<(batch * context)).map { _ in Int32(rng.next() % UInt64(vocab)) }
        let mask = (0..<(batch * context)).map { i in vlm && i % context < imagePatches ? Float(0) : 1 }
        let patches = (0..<(batch * imagePatches * patchValues)).map { _ in rng.nextNormal() }

        var times: [Double] = []
        var phases = [Double](repeating: 0, count: 3)
        var loss: Float = 0
        tape.profiling = profile && warmup == 0
        for step in 0..<(warmup + steps) {
            let t0 = DispatchTime.now().uptimeNanoseconds
            store.zeroGrads()
            tape.reset()
            let prefix = vision.map { $0(tape, tape.input(patches, shape: Shape(batch, imagePatches, patchValues))) }
            let logits = model(tape, ids: ids, batch: batch, length: text, prefix: prefix)
            let l = tape.crossEntropy(logits, targets: targets, mask: mask)
            let t1 = DispatchTime.now().uptimeNanoseconds
            tape.backward(l)
            let t2 = DispatchTime.now().uptimeNanoseconds
            store.clipGradients(maxNorm: 1)
            opt.step(lr: 1e-3)
            let t3 = DispatchTime.now().uptimeNanoseconds
            loss = tape.scalar(l)
            if step == warmup - 1 {
                tape.resetProfile()
                tape.profiling = profile
            }
            if step >= warmup {
                times.append(Double(t3 - t0) / 1e9)
                phases[0] += Double(t1 - t0) / 1e9
                phases[1] += Double(t2 - t1) / 1e9
                phases[2] += Double(t3 - t2) / 1e9
            }
        }
        times.sort()
        let median = times[times.count / 2]
        let tokens = Double(batch * context)
        let flops = Self.flops(batch: batch, context: context, vocab: vocab, d: 128, mlp: 512, layers: 4)
            + (vlm ? Self.flops(batch: batch, context: imagePatches, vocab: 0, d: 128, mlp: 512, layers: 2)
                + 6 * Double(batch * imagePatches) * Double(patchValues * 128 + 128 * 128) : 0)
        let swiftRate = tokens / median
        print("train-step [\(variant)]: batch \(batch) x context \(context), \(store.count) parameters, "
              + "engine workers \(threads), loss \(String(format: "%.4f", loss))")
        print(String(format: "  Swift:   %8.1f ms/step  %8.0f tokens/s  %6.1f GFLOP/s (model FLOPs %.1f G), best %.1f ms",
                     median * 1e3, swiftRate, flops / median / 1e9, flops / 1e9, times[0] * 1e3))
        let n = Double(steps)
        print(String(format: "           forward %.1f ms, backward %.1f ms, clip+AdamW %.1f ms (means)",
                     phases[0] / n * 1e3, phases[1] / n * 1e3, phases[2] / n * 1e3))
        if profile {
            for (name, t) in tape.profile.sorted(by: { $0.value.forward + $0.value.backward > $1.value.forward + $1.value.backward }) {
                print("    " + name.padding(toLength: 18, withPad: " ", startingAt: 0)
                      + String(format: "forward %7.1f ms  backward %7.1f ms  (per step)",
                               t.forward / n * 1e3, t.backward / n * 1e3))
            }
        }
        guard !noTorch else { return }
        let torch = try runTorch()
        print(String(format: "  PyTorch: %8.1f ms/step  %8.0f tokens/s  %6.1f GFLOP/s  (%d threads), best %.1f ms",
                     torch.stepMs, torch.tokensPerS, flops / (torch.stepMs / 1e3) / 1e9, torchThreads ?? threads,
                     torch.bestMs))
        print(String(format: "  ratio Swift/PyTorch: %.2fx at the median, %.2fx best step to best step "
                     + "(target >= 1.1x; on a shared machine the best steps are the least disturbed)",
                     swiftRate / torch.tokensPerS, torch.bestMs / (times[0] * 1e3)))
    }

    /// Model FLOPs of one step: 6 x tokens x linear parameters, plus 12 x B x T^2 x D per layer for attention
    /// (scores and weighted sum, forward and backward, full square as the kernel computes it).
    static func flops(batch: Int, context: Int, vocab: Int, d: Int, mlp: Int, layers: Int) -> Double {
        let linear = Double(layers * (4 * d * d + 2 * d * mlp) + vocab * d)
        return 6 * Double(batch * context) * linear + 12 * Double(layers * batch * context * context * d)
    }

    /// Runs the PyTorch peer (Tests/Reference/bench_train_step.py).
    func runTorch() throws -> (stepMs: Double, tokensPerS: Double, bestMs: Double) {
        let fields = try TorchPeer.run(script: "bench_train_step.py",
                                       arguments: ["--variant", variant, "--steps", "\(steps)", "--warmup", "\(warmup)",
                                                   "--threads", "\(torchThreads ?? threads)"],
                                       required: ["step_ms", "tokens_per_s", "best_ms"])
        return (fields["step_ms"]!, fields["tokens_per_s"]!, fields["best_ms"]!)
    }
}
