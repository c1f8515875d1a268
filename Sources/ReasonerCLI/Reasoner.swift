import ArgumentParser

/// The `reasoner` command: entry point of the embedded pipeline and the fleet's operator tool.
@main
struct Reasoner: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reasoner",
        abstract: "Vision-language chain-of-thought training: distill, SFT, sample, judge, DPO, evaluate.",
        subcommands: [DemoCommand.self, SubmitCommand.self, StatusCommand.self, FollowCommand.self, RetryCommand.self, DistillCommand.self,
                      DeadLetterCommand.self, FleetCommand.self, DataCommand.self, JudgeCommand.self,
                      ExperimentCommand.self, BaseCommand.self, ServeCommand.self]
    )
}
