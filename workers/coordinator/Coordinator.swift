import ArgumentParser
import Pipeline

/// `coordinator`: registers the runs `reasoner submit` sends (queue `reasoner.coordinator`) and drives every active
/// run stage by stage — prepare → distill → SFT → sample and judge → DPO → verifier → evaluate → report —
/// publishing each stage's work and advancing on the workers' done-marks; its runner (queue `reasoner.runner`)
/// writes the runs' suites and reports. All it knows is in Redis and the artifacts volume, so it can be killed and
/// restarted at any point (or run twice) without losing or repeating work.
@main
struct CoordinatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coordinator", abstract: "Reasoner's coordinator: runs advanced stage by stage.")

    @Option(help: "Seconds between passes over the active runs.")
    var interval = 1.0

    @Option(help: ArgumentHelp("Re-issue a stage's unfinished work after this many seconds without progress while its "
                               + "queues are empty (work lost with a purged queue, or dead-lettered and retried)."))
    var reissueAfter = 600.0

    @Flag(help: "Check that the broker, the state store and the artifacts volume answer, then exit (0 = healthy).")
    var check = false

    func validate() throws {
        guard interval > 0 else { throw ValidationError("--interval must be positive") }
        guard reissueAfter >= 0 else { throw ValidationError("--reissue-after must not be negative") }
    }

    func run() async throws {
        let queue = FleetTopology.Queue.coordinator
        if check { return try await WorkerProcess.check(role: "coordinator", queue: queue) }
        try await WorkerProcess.serve(role: "coordinator") { fleet, logger in
            let artifacts = fleet.artifacts
            let coordinator = Coordinator(broker: fleet.broker, store: fleet.store, logger: logger,
                                          reissueAfter: .milliseconds(Int(reissueAfter * 1000))) { record in
                try PipelinePlanner.forRun(record, artifacts: artifacts)
            }
            let submissions = Worker(role: "coordinator", queue: queue, prefetch: 1, broker: fleet.broker,
                                     store: fleet.store, handler: RunSubmissionHandler(artifacts: artifacts),
                                     logger: logger)
            // The runner: the runs' suites and reports, off the coordinator's loop.
            let runner = Worker(role: "runner", queue: FleetTopology.Queue.runner, prefetch: 1, broker: fleet.broker,
                                store: fleet.store, handler: RunTaskHandler(artifacts: artifacts), logger: logger)
            return ([submissions, runner, CoordinatorService(coordinator: coordinator,
                                                             interval: .milliseconds(Int(interval * 1000)))], nil)
        }
    }
}
