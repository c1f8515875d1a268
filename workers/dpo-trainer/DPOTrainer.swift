import ArgumentParser
import Pipeline

/// `dpo-trainer`: consumes preference jobs from the `reasoner.dpo-trainer` queue — DPO of the sampled SFT student on
/// the judge's pairs, the reference log-probs computed once and cached — under the job's lease, like the SFT trainer,
/// with TRL-style metrics per step in the run folder and the run's events.
@main
struct DPOTrainerWorker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dpo-trainer",
        abstract: "Reasoner's DPO trainer worker: preference optimisation under a lease, resumable.")

    @Option(help: "Steps between progress events in the run's stream.")
    var progressEvery = 5

    @Option(help: "Seconds a job's lease lives unrenewed: how long a dead trainer's job waits before another takes it.")
    var leaseSeconds = 60.0

    @Flag(help: "Check that the broker, the state store and the artifacts volume answer, then exit (0 = healthy).")
    var check = false

    func validate() throws {
        guard progressEvery >= 1 else { throw ValidationError("--progress-every must be at least 1") }
        guard leaseSeconds >= 1 else { throw ValidationError("--lease-seconds must be at least 1") }
    }

    func run() async throws {
        let queue = FleetTopology.Queue.dpoTrainer
        if check { return try await WorkerProcess.check(role: "dpo-trainer", queue: queue) }
        try await WorkerProcess.run(role: "dpo-trainer", queue: queue, prefetch: 1) { fleet in
            (DPOTrainHandler(artifacts: fleet.artifacts, store: fleet.store, progressEvery: progressEvery,
                              leaseMilliseconds: Int(leaseSeconds * 1000)), cleanup: nil)
        }
    }
}
