import Artifacts
import Messaging

/// Work for the runner (the coordinator process's worker for a run's bookkeeping): the heavy, deterministic file
/// work that must not run inside the coordinator's loop — generating the suite and the rows every stage reads
/// (`prepare`), and writing the tables, plots and per-item outputs (`report`).
public struct RunTask: WorkMessage, Equatable {
    public static let typeName = "run.task"
    public static let schemaVersion = 1

    /// What to do.
    public enum Kind: String, Codable, Sendable {
        /// The suite, the direct and validation rows, and the item subsets of sampling, evaluation and verifier.
        case prepare
        /// `eval/summary.json`, `eval/results.md`, `eval/findings.json`, the plots and `eval/items.jsonl`.
        case report
    }

    /// The task.
    public var kind: Kind
    /// The run's definition in the volume (`runs/<run>/pipeline.json`).
    public var pipeline: ArtifactRef

    /// A task.
    public init(kind: Kind, pipeline: ArtifactRef) {
        self.kind = kind
        self.pipeline = pipeline
    }
}
