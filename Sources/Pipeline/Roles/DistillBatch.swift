import Artifacts
import Messaging

/// Work for the distiller: write rationales for a slice of a dataset with a teacher, judge each rationale's final
/// answer against the annotation, and keep the agreeing ones as SFT rows.
public struct DistillBatch: WorkMessage, Equatable {
    public static let typeName = "distill.batch"
    public static let schemaVersion = 1

    /// The items: a JSONL file of suite items (`{id, image, question, answer, answer_type, family, scene, ...}`).
    public var dataset: ArtifactRef
    /// The first line of the slice (0-based).
    public var firstLine: Int
    /// How many lines the slice holds.
    public var lineCount: Int
    /// Which teacher writes the rationales.
    public var teacher: TeacherSpec
    /// Where the kept rows go (LLaVA conversation JSONL); a report of every item goes beside it
    /// (`<output>.report.jsonl`).
    public var output: ArtifactRef

    /// Makes a batch.
    public init(dataset: ArtifactRef, firstLine: Int, lineCount: Int, teacher: TeacherSpec, output: ArtifactRef) {
        self.dataset = dataset
        self.firstLine = firstLine
        self.lineCount = lineCount
        self.teacher = teacher
        self.output = output
    }
}

/// The teacher of a distillation.
public enum TeacherSpec: Codable, Sendable, Equatable {
    /// The offline teacher of the synthetic suite: rationales from the scene, wrong at `errorRate`.
    case offline(seed: UInt64, errorRate: Double)
    /// The OpenAI-compatible endpoint configured in the distiller's environment (`REASONER_TEACHER_URL`,
    /// `REASONER_TEACHER_MODEL`, `REASONER_TEACHER_API_KEY[_FILE]`): secrets never travel in messages.
    case endpoint
}
