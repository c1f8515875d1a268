import Artifacts
import Foundation
import Messaging
import ReasonerData
import State
import Training

/// The runner: a run's bookkeeping off the coordinator's loop. `prepare` generates the suite once (the manifest is
/// written last, so a half-written suite is generated again), the direct-answer rows of the training and validation
/// splits, and the item subsets the sampling, verifier and evaluation budgets cover; `report` writes the run's
/// report (`RunReport`). Both are deterministic: a redelivered task writes the same files.
public struct RunTaskHandler: MessageHandler {
    /// The artifacts volume.
    public let artifacts: ArtifactStore

    /// A runner over an artifacts volume.
    public init(artifacts: ArtifactStore) {
        self.artifacts = artifacts
    }

    public func handle(_ task: RunTask, context: HandlerContext) async throws -> HandlerOutcome {
        let definition: PipelineDefinition
        do {
            definition = try JSONDecoder().decode(PipelineDefinition.self, from: try artifacts.read(task.pipeline))
        } catch {
            throw HandlerError.permanent("the run's definition \(task.pipeline) does not read: \(error)")
        }
        let stage = StageContext(runID: context.runID, definition: definition, artifacts: artifacts)
        switch task.kind {
        case .prepare: try prepare(stage)
        case .report: try RunReport(context: stage).write()
        }
        return HandlerOutcome(result: ["task": task.kind.rawValue], events: [
            StreamAppend(stream: StateKeys.events(context.runID), fields: [
                "kind": EventKind.runTask.rawValue, "task": task.kind.rawValue,
            ]),
        ])
    }

    /// The suite, the direct rows of the training and validation splits, the item subsets.
    func prepare(_ context: StageContext) throws {
        let layout = context.layout, definition = context.definition
        let folder = try artifacts.path(of: try layout.data)
        if !SuiteWriter.holdsSuite(definition.suite, in: folder) {
            try SuiteWriter.write(config: definition.suite, to: folder)
        }
        for (split, name) in [(Split.train, "direct"), (.validation, "validation")] {
            let items = try RowFiles.read(SuiteItem.self, path: folder + "/\(split.rawValue).jsonl").rows
            try artifacts.write(try RowFiles.jsonLines(items.map(TrainingRows.direct)), to: try layout.rows(name))
        }
        try ItemSubsets.write(definition, context: context)
    }
}
