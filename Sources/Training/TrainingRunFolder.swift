import Foundation
import Model
import Tensor

/// The folder of one training job (pretraining, an SFT mix, DPO): numbered checkpoints, a pointer to the latest,
/// per-step metrics and validation JSONL, and `summary.json` once the job finished (its "done" mark).
///
///     checkpoints/step-000040/   StudentCheckpoint with trainer_state.json and optimizer.safetensors
///     checkpoints/latest         the name of the newest complete checkpoint (written atomically, after it)
///     metrics.jsonl              one line per optimizer step
///     validation.jsonl           one line per validation
///     summary.json               written last
public struct TrainingRunFolder: Sendable {
    /// The folder.
    public let url: URL

    /// A run folder at `url` (created when the job starts).
    public init(_ url: URL) { self.url = url }

    /// Per-step metrics.
    public var metricsFile: URL { url.appendingPathComponent("metrics.jsonl") }
    /// Validation results.
    public var validationFile: URL { url.appendingPathComponent("validation.jsonl") }
    /// The finished job's summary.
    public var summaryFile: URL { url.appendingPathComponent("summary.json") }
    /// Where checkpoints live.
    public var checkpointsFolder: URL { url.appendingPathComponent("checkpoints") }
    /// The pointer to the newest complete checkpoint.
    public var latestFile: URL { checkpointsFolder.appendingPathComponent("latest") }

    /// The checkpoint folder of `step`.
    public func checkpoint(step: Int) -> URL {
        checkpointsFolder.appendingPathComponent("step-" + String(format: "%06d", step))
    }

    /// The newest complete checkpoint, if any.
    public func latestCheckpoint() -> URL? {
        guard let name = try? String(contentsOf: latestFile, encoding: .utf8) else { return nil }
        return checkpointsFolder.appendingPathComponent(name.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// The final checkpoint of a finished job (nil while it runs).
    public func finalCheckpoint() -> URL? {
        FileManager.default.fileExists(atPath: summaryFile.path) ? latestCheckpoint() : nil
    }

    /// Whether the job already finished.
    public var isFinished: Bool { FileManager.default.fileExists(atPath: summaryFile.path) }

    /// Saves a checkpoint at `step`, points `latest` at it, then removes older ones (`keep` newest stay).
    func saveCheckpoint(_ model: StudentVLM, loaded: StudentCheckpoint.Loaded, optimizer: AdamW,
                        step: Int, keep: Int = 1) throws {
        let target = checkpoint(step: step)
        try? FileManager.default.removeItem(at: target)
        try StudentCheckpoint.save(model, tokenizer: loaded.tokenizer, trainerState: .init(step: step),
                                   optimizer: optimizer.state, to: target)
        try Data(target.lastPathComponent.utf8).write(to: latestFile, options: .atomic)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: checkpointsFolder.path)) ?? []
        for name in names.filter({ $0.hasPrefix("step-") }).sorted().dropLast(keep) {
            try? FileManager.default.removeItem(at: checkpointsFolder.appendingPathComponent(name))
        }
    }

    /// Keeps the JSONL lines of `file` whose `step` is at most `step` (what a resumed run rewrites from there).
    func truncate(_ file: URL, afterStep step: Int) throws {
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { return }
        let kept = text.split(separator: "\n").filter { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let lineStep = object["step"] as? Int else { return false }
            return lineStep <= step
        }
        try Data(kept.map { $0 + "\n" }.joined().utf8).write(to: file, options: .atomic)
    }
}
