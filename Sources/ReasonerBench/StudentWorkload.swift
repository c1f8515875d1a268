import ArgumentParser
import Foundation
import Imaging
import Model
import Tensor

/// The inputs shared by `sampling` and `scoring`: a reference-config student with random weights and random
/// images and prompts, written to a temporary folder (`config.json`, `model.safetensors`, `inputs.safetensors`) so
/// the PyTorch peer (Tests/Reference/bench_student_vlm.py) loads the very same model and inputs.
struct StudentWorkload {
    /// The model.
    let model: StudentVLM
    /// One image per prompt.
    let images: [RGBImage]
    /// Prompts of one length (placeholder-free token ids).
    let prompts: [[Int]]
    /// The folder the peer reads.
    let directory: URL

    /// A workload of `prompts` random 64x64 images and `promptLength`-token prompts over `vocab` tokens; `extra`
    /// adds tensors to `inputs.safetensors`.
    init(prompts count: Int, promptLength: Int, vocab: Int, seed: UInt64,
         extra: [String: SafeTensor] = [:]) throws {
        model = try StudentVLM(config: .reference(vocabSize: vocab), seed: seed)
        var rng = SplitMix64(seed: seed &+ 1)
        let side = model.config.imageSize
        images = (0..<count).map { _ in
            RGBImage(width: side, height: side, pixels: (0..<(side * side * 3)).map { _ in UInt8(rng.next() % 256) })
        }
        prompts = (0..<count).map { _ in (0..<promptLength).map { _ in Int(rng.next() % UInt64(vocab)) } }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("reasoner-bench-\(seed)-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try model.config.save(to: directory.appendingPathComponent(StudentCheckpoint.configFile))
        try Safetensors.write(model.parameters.namedTensors(), metadata: ["format": "pt"],
                              to: directory.appendingPathComponent(StudentCheckpoint.weightsFile))
        var inputs = extra
        inputs["images"] = .i32(images.flatMap { $0.pixels.map { Int32($0) } }, shape: [count, side, side, 3])
        inputs["prompts"] = .i32(prompts.flatMap { $0.map { Int32($0) } }, shape: [count, promptLength])
        try Safetensors.write(inputs, to: directory.appendingPathComponent("inputs.safetensors"))
    }

    /// Removes the folder.
    func remove() { try? FileManager.default.removeItem(at: directory) }

    /// Runs `body` `warmup` times untimed, then times it `rounds` times; returns the median and the fastest
    /// round in seconds. `body` gets the round's index (warm-up rounds first).
    static func time(warmup: Int, rounds: Int, _ body: (Int) throws -> Void) rethrows -> (median: Double, best: Double) {
        let clock = ContinuousClock()
        var times: [Double] = []
        for round in 0..<(warmup + rounds) {
            let elapsed = try clock.measure { try body(round) }.seconds
            if round >= warmup { times.append(elapsed) }
        }
        times.sort()
        return (times[times.count / 2], times[0])
    }
}

/// Options common to the student benchmarks.
struct StudentBenchmarkOptions: ParsableArguments {
    @Option(help: "Vocabulary size of the random student.")
    var vocab = 512

    @Option(help: "Timed rounds per side (the median is reported).")
    var rounds = 3

    @Option(help: "Untimed warm-up rounds per side, before the timed ones.")
    var warmup = 1

    @Option(help: "OpenBLAS threads for Swift and intra-op threads for PyTorch.")
    var threads = 2

    @Flag(help: "Skip the PyTorch peer.")
    var noTorch = false

    func validate() throws {
        guard vocab > 1, rounds > 0, threads > 0, warmup >= 0 else {
            throw ValidationError("--vocab, --rounds and --threads must be positive, --warmup at least 0")
        }
    }

    /// The PyTorch peer's arguments for these options.
    var torchArguments: [String] { ["--rounds", "\(rounds)", "--warmup", "\(warmup)", "--threads", "\(threads)"] }
}
