import Foundation
import Model
import Tensor
import Tokenization
import ReasonerData
import Training

/// A tiny suite (chart family), its SFT rows, and a fresh tiny student, in a temporary folder: the material of the
/// trainer, sampler and evaluator tests.
struct TrainingWorld {
    let root: URL
    let suite: String
    let files: [String: String]
    let start: URL

    init(trainItems: Int = 12, seed: UInt64 = 5) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("training-\(UUID().uuidString)")
        suite = root.appendingPathComponent("suite").path
        var config = SuiteConfig()
        config.families = [.chart]
        config.train = trainItems
        config.validation = 4
        config.test = 4
        config.formatPerFamily = 4
        config.pretrainPerFamily = 6
        config.seed = seed
        try SuiteWriter.write(config: config, to: suite)
        files = try SuiteRows.prepare(suiteRoot: suite, output: root.appendingPathComponent("rows").path,
                                      teacher: OfflineTeacher(seed: seed, errorRate: 0))
        start = root.appendingPathComponent("start")
        try StudentCheckpoint.createFresh(corpus: try SuiteRows.corpus(paths: files.values.sorted()), vocabularySize: 400, seed: seed,
                                          config: Self.config, to: start)
    }

    /// The tiny test model with room for chain-of-thought rows.
    static func config(_ vocabularySize: Int) -> VLMConfig {
        var config = VLMConfig.tiny(vocabSize: vocabularySize)
        config.contextLength = 400
        return config
    }

    /// The row converter of the start checkpoint.
    func rowExamples() throws -> RowExamples {
        let loaded = try StudentCheckpoint.load(from: start)
        return RowExamples(template: try ChatTemplate(tokenizer: loaded.tokenizer), config: loaded.model.config)
    }

    /// The suite's items of a split.
    func items(_ split: String) throws -> [SuiteItem] {
        try RowFiles.read(SuiteItem.self, path: suite + "/\(split).jsonl").rows
    }

    /// A fresh run folder path.
    func folder(_ name: String) -> String { root.appendingPathComponent(name).path }

    /// Deletes everything.
    func remove() { try? FileManager.default.removeItem(at: root) }
}
