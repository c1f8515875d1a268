import ArgumentParser
import Pipeline

/// `sft-trainer`: consumes supervised training jobs (caption pretraining and the SFT mixes) from the
/// `reasoner.sft-trainer` queue. A job outlives RabbitMQ's consumer timeout, so the trainer takes the job's lease in
/// Redis, acknowledges the message and trains, saving resumable checkpoints; if it dies, the lease lapses, the
/// coordinator re-issues the job and the next trainer resumes from the last checkpoint. Give it the machine's cores
/// (`OPENBLAS_NUM_THREADS`); SIGTERM stops between steps and the job resumes from its last checkpoint.
@main
struct SFTTrainerWorker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sft-trainer",
        abstract: "Reasoner's SFT trainer worker: pretraining and SFT mixes under a lease, resumable.")

    @Option(help: "Steps between progress events in the run's stream.")
    var progressEvery = 10

    @Option(help: "Seconds a job's lease lives unrenewed: how long a dead trainer's job waits before another takes it.")
    var leaseSeconds = 60.0

    @Flag(help: "Check that the broker, the state store and the artifacts volume answer, then exit (0 = healthy).")
    var check = false

    func validate() throws {
        guard progressEvery >= 1 else { throw ValidationError("--progress-every must be at least 1") }
        guard leaseSeconds >= 1 else { throw ValidationError("--lease-seconds must be at least 1") }
    }

    func run() async throws {
        let queue = FleetTopology.Queue.sftTrainer
        if check { return try await WorkerProcess.check(role: "sft-trainer", queue: queue) }
        try await WorkerProcess.run(role: "sft-trainer", queue: queue, prefetch: 1) { fleet in
            (SFTTrainHandler(artifacts: fleet.artifacts, store: fleet.store, progressEvery: progressEvery,
                              leaseMilliseconds: Int(leaseSeconds * 1000)), cleanup: nil)
        }
    }
}
