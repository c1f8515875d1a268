import ArgumentParser

/// `reasoner-bench`: speed measurements of Reasoner's parts, each side by side with the peer its users would
/// otherwise use. Benchmarks are commands, never tests: they print numbers and ratios, they do not assert on time.
@main
struct ReasonerBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reasoner-bench",
        abstract: "Speed benchmarks of Reasoner against its peers (run with swift run -c release).",
        subcommands: [
            AMQPThroughputBenchmark.self,
            CoordinatorBenchmark.self,
            HTTPThroughputBenchmark.self,
            JudgeBench.self,
            SamplerScalingBenchmark.self,
            TeacherThroughputBenchmark.self,
            TokenizerBenchmark.self,
            TrainStepBenchmark.self,
        ]
    )
}
