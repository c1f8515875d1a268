import Artifacts
import Foundation
import Messaging

/// A new run for the coordinator (what `reasoner submit` publishes): the run id is the envelope's.
public struct RunSubmission: WorkMessage, Equatable {
    public static let typeName = "run.submit"
    public static let schemaVersion = 1

    /// What the run does.
    public var definition: PipelineDefinition

    /// A submission of `definition`.
    public init(definition: PipelineDefinition) {
        self.definition = definition
    }

    /// The message for the coordinator's queue (through the events exchange, routing key `run.<id>.submit`); its id
    /// is derived from the run id, so submitting a run twice registers it once.
    public func message(runID: String) throws -> OutgoingMessage {
        OutgoingMessage(exchange: FleetTopology.standard.eventsExchange, routingKey: "run.\(runID).submit",
                        envelope: try Envelope(self, id: "\(runID).submit", runID: runID))
    }

}

/// The coordinator's handler of submissions: copies the shipped base into the artifacts volume when the run starts
/// from it, keeps the definition in the run's folder and registers the run, which the ``CoordinatorService`` then
/// drives.
public struct RunSubmissionHandler: MessageHandler {
    private let artifacts: ArtifactStore

    /// A handler writing definitions under `artifacts`.
    public init(artifacts: ArtifactStore) {
        self.artifacts = artifacts
    }

    public func handle(_ submission: RunSubmission, context: HandlerContext) async throws -> HandlerOutcome {
        do {
            try submission.definition.validate()
            try ShippedModels.install(ref: submission.definition.student.checkpoint, into: artifacts)
        } catch {
            throw HandlerError.permanent("\(error)")
        }
        let ref = try RunLayout(runID: context.runID).definition
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try artifacts.write(try encoder.encode(submission.definition), to: ref)
        let registration = RunRecord.registration(runID: context.runID, pipeline: ref.path)
        return HandlerOutcome(result: ["pipeline": ref.path], records: registration.records,
                              events: registration.events)
    }
}
