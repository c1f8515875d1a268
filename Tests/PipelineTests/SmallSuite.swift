import Artifacts
import Foundation
import ReasonerData

/// A small synthetic suite written into a fresh artifacts root, for the pipeline tests.
struct SmallSuite {
    let artifacts: ArtifactStore
    let root: String
    /// The training items (suite-item JSONL).
    let dataset: ArtifactRef
    /// How many training items.
    let count: Int

    init(run: String, families: [Family] = Family.allCases, trainPerFamily: Int = 12) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("suite-\(UUID().uuidString)").path
        artifacts = try ArtifactStore(root: root)
        var config = SuiteConfig()
        config.families = families
        config.train = trainPerFamily
        config.validation = 2
        config.test = 2
        config.pretrainPerFamily = 2
        config.formatPerFamily = 2
        let data = try ArtifactRef("runs/\(run)/data")
        let manifest = try SuiteWriter.write(config: config, to: try artifacts.path(of: data))
        count = manifest.counts.values.reduce(0) { $0 + ($1["train"] ?? 0) }
        dataset = try data.appending("train.jsonl")
    }

    /// Deletes the artifacts root.
    func remove() { try? FileManager.default.removeItem(atPath: root) }
}
