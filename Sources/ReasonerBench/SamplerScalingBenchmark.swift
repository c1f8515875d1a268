import Artifacts
import ArgumentParser
import Foundation
import Messaging
import Model
import Pipeline
import ReasonerData
import State

/// `reasoner-bench sampler-scaling`: chains/s of 1 and of 2 `sampler` processes (one BLAS thread each) draining the
/// same sampling shards from the local RabbitMQ, on the reference student (64×64 images, vision d128×2, decoder
/// d128×4, random weights: every chain runs to its token limit, so the work is the same in both rounds). Prints
/// both rates and the speed-up.
struct SamplerScalingBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sampler-scaling",
        abstract: "Sampling throughput of 1 vs 2 sampler processes on the real broker (one BLAS thread each).")

    @Option(help: "Shards to drain per round.")
    var shards = 8

    @Option(help: "Items per shard.")
    var itemsPerShard = 8

    @Option(help: "Chains per item.")
    var chains = 16

    @Option(help: "New tokens per chain.")
    var tokens = 64

    func validate() throws {
        guard shards > 0, itemsPerShard > 0, chains > 0, tokens > 0 else {
            throw ValidationError("--shards, --items-per-shard, --chains and --tokens must be positive")
        }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let amqpURL = environment["REASONER_AMQP_URL"] ?? "amqp://guest:guest@127.0.0.1:5679/%2F"
        let redisURL = environment["REASONER_REDIS_URL"] ?? "redis://127.0.0.1:6390/0"
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("sampler-bench-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        var suite = SuiteConfig()
        (suite.train, suite.validation, suite.test, suite.pretrainPerFamily, suite.formatPerFamily) =
            (max(1, shards * itemsPerShard / suite.families.count + 1), 1, 1, 1, 2)
        try SuiteWriter.write(config: suite, to: root + "/data")
        try StudentCheckpoint.createFresh(
            corpus: [StudentPrompt.cotShort, StudentPrompt.cotLetter, "\(StudentPrompt.answerMarker) 0123456789"],
            vocabularySize: 512, seed: 1, config: { VLMConfig.reference(vocabSize: $0) },
            to: URL(fileURLWithPath: root + "/student"))
        let broker = AMQPBroker(configuration: try AMQPConfiguration(url: amqpURL))
        defer { broker.shutdown() }
        let store = try RedisStateStore(configuration: try RedisConfiguration(url: redisURL))
        defer { store.close() }
        try await broker.declare(FleetTopology.standard)
        let sampler = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("sampler").path
        let chainsPerRound = shards * itemsPerShard * chains
        print("sampler-scaling: \(shards) shards × \(itemsPerShard) items × \(chains) chains × \(tokens) tokens, "
              + "reference student, OPENBLAS_NUM_THREADS=1 per process")
        var rates: [Int: Double] = [:]
        for processes in [1, 2] {
            let runID = "bench-sampler-\(processes)-\(UUID().uuidString.prefix(6))"
            _ = try await broker.purge(FleetTopology.Queue.sampler)
            let items = try ArtifactRef("data/train.jsonl")
            let messages = try (0..<shards).map { index in
                let shard = SampleShard(
                    checkpoint: try ArtifactRef("student"),
                    items: ItemSlice(file: items, firstLine: index * itemsPerShard, lineCount: itemsPerShard),
                    sampling: SamplingSettings(chainsPerItem: chains, temperature: 1, maxNewTokens: tokens, seed: 1),
                    output: try ArtifactRef("runs/\(runID)/samples/\(index).jsonl"),
                    judge: JudgeTask(items: items, samples: try ArtifactRef("runs/\(runID)/samples/\(index).jsonl"),
                                     output: try ArtifactRef("runs/\(runID)/pairs/\(index).jsonl")))
                return FleetTopology.work(FleetTopology.Queue.sampler,
                                          try Envelope(shard, id: "\(runID).\(index)", runID: runID))
            }
            try await broker.publish(messages)
            var childEnvironment = environment
            childEnvironment["REASONER_AMQP_URL"] = amqpURL
            childEnvironment["REASONER_REDIS_URL"] = redisURL
            childEnvironment["REASONER_ARTIFACTS"] = root
            childEnvironment["OPENBLAS_NUM_THREADS"] = "1"
            let start = ContinuousClock.now
            let children = try (0..<processes).map { index in
                let process = Process()
                process.executableURL = URL(fileURLWithPath: sampler)
                process.environment = childEnvironment
                _ = FileManager.default.createFile(atPath: root + "/sampler-\(index).log", contents: nil)
                let log = try FileHandle(forWritingTo: URL(fileURLWithPath: root + "/sampler-\(index).log"))
                (process.standardOutput, process.standardError) = (log, log)
                try process.run()
                return process
            }
            while Int(try await store.fields(of: StateKeys.counters(runID))["sample_shards"] ?? "0") ?? 0 < shards {
                try await Task.sleep(for: .milliseconds(50))
            }
            let elapsed = ContinuousClock.now - start
            for child in children { child.terminate() }
            for child in children { while child.isRunning { try await Task.sleep(for: .milliseconds(20)) } }
            _ = try await broker.purge(FleetTopology.Queue.judge)  // nobody judges in this benchmark
            rates[processes] = Double(chainsPerRound) / (elapsed / .seconds(1))
            print(String(format: "%d sampler process%@: %.1f s, %.1f chains/s, %.0f tokens/s", processes,
                         processes == 1 ? "" : "es", elapsed / .seconds(1), rates[processes]!,
                         rates[processes]! * Double(tokens)))
        }
        print(String(format: "speed-up 2 vs 1: %.2f× (target ≥ 1.7×; includes each process's start-up)",
                     rates[2]! / rates[1]!))
    }
}
