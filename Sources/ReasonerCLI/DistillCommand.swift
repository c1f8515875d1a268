import ArgumentParser
import Artifacts
import Foundation
import Messaging
import Pipeline

/// `reasoner distill enqueue`: cut a dataset into distillation batches and put them on the fleet's distiller queue.
struct DistillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "distill", abstract: "Distillation batches for the fleet.", subcommands: [Enqueue.self])

    struct Enqueue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Enqueue a dataset's distillation batches on the distiller queue (broker from REASONER_AMQP_URL).")

        @Option(help: "The items (suite-item JSONL), as a path inside the artifacts volume.")
        var dataset: String

        @Option(help: "The artifacts volume the distillers share (default: REASONER_ARTIFACTS).")
        var artifacts = ProcessInfo.processInfo.environment["REASONER_ARTIFACTS"] ?? ""

        @Option(help: "Items per batch (one message each).")
        var batchSize = 100

        @Option(help: "The run the batches belong to (outputs go under runs/<run>/distill/).")
        var run: String

        @Option(help: "offline (the suite's scene-based teacher) or endpoint (the distillers' configured server).")
        var teacher = "offline"

        @Option(help: "Seed of the offline teacher.")
        var seed: UInt64 = 0

        @Option(help: "Error rate of the offline teacher.")
        var errorRate = 0.1

        func validate() throws {
            guard !artifacts.isEmpty else { throw ValidationError("set --artifacts or REASONER_ARTIFACTS") }
            guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
            guard ["offline", "endpoint"].contains(teacher) else {
                throw ValidationError("--teacher is offline or endpoint")
            }
        }

        func run() async throws {
            let store = try ArtifactStore(root: artifacts)
            let ref = try ArtifactRef(dataset)
            let lines = try store.read(ref).split(separator: UInt8(ascii: "\n")).count
            let spec: TeacherSpec = teacher == "endpoint" ? .endpoint : .offline(seed: seed, errorRate: errorRate)
            let stage = DistillBatches(runID: run, dataset: ref, itemCount: lines, batchSize: batchSize, teacher: spec)
            let broker = AMQPBroker(configuration: try AMQPConfiguration.fromEnvironment())
            defer { broker.shutdown() }
            try await broker.declare(FleetTopology.standard)
            try await stage.enqueue(on: broker)
            print("enqueued \(try stage.batches().count) batches (\(lines) items) for run \(run) on "
                  + "\(FleetTopology.Queue.distiller); follow with: reasoner status \(run)")
        }
    }
}
