import ArgumentParser
import Foundation
import Messaging
import Pipeline

/// `reasoner submit PIPELINE.yaml`: sends a run to the coordinator (broker from `REASONER_AMQP_URL`) and prints its
/// id. The document is checked here first, so a typo is reported before anything is sent.
struct SubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Submit a pipeline (YAML or JSON over a preset) to the fleet's coordinator; prints the run id.")

    @Argument(help: "The pipeline document (.yaml, .yml or .json); see --print-preset for every setting.")
    var pipeline: String?

    @Option(help: "The run id (letters, digits, '-', '_'); default: the document's name and the time.")
    var runID: String?

    @Option(help: "Print a preset (quick or full) as a document with every setting, and exit.")
    var printPreset: String?

    func validate() throws {
        if let runID {
            guard !runID.isEmpty, runID.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
                throw ValidationError("--run-id may hold only letters, digits, '-' and '_'")
            }
        }
        guard pipeline != nil || printPreset != nil else {
            throw ValidationError("name a pipeline document, or use --print-preset quick|full")
        }
    }

    func run() async throws {
        if let printPreset {
            guard let preset = PipelinePreset(rawValue: printPreset) else {
                throw ValidationError("--print-preset takes quick or full")
            }
            print(try PipelineDocument.render(preset.definition))
            return
        }
        let definition = try PipelineDocument.load(path: pipeline!)
        let id = runID ?? "\(definition.name)-\(Int(Date().timeIntervalSince1970))"
        let broker = AMQPBroker(configuration: try AMQPConfiguration.fromEnvironment())
        defer { broker.shutdown() }
        try await broker.declare(FleetTopology.standard)
        try await broker.publish([try RunSubmission(definition: definition).message(runID: id)])
        print(id)
    }
}
