import Foundation
import Imaging
import Model
import ReasonerData
import Tokenization

/// How an evaluation runs.
public struct EvaluationConfig: Codable, Sendable, Equatable {
    /// Prompt modes to evaluate (both by default): the same items, the same judge.
    public var modes: [PromptMode] = [.direct, .cot]
    /// Longest response in tokens.
    public var maxNewTokens: Int = 160
    /// Items decoded together (results are streamed after each group).
    public var itemsPerBatch: Int = 16
    /// Bootstrap resamples of the confidence intervals.
    public var resamples: Int = 1000
    /// Seed of the bootstrap.
    public var seed: UInt64 = 0

    /// Settings.
    public init(modes: [PromptMode] = [.direct, .cot], maxNewTokens: Int = 160, itemsPerBatch: Int = 16,
                resamples: Int = 1000, seed: UInt64 = 0) {
        self.modes = modes
        self.maxNewTokens = maxNewTokens
        self.itemsPerBatch = itemsPerBatch
        self.resamples = resamples
        self.seed = seed
    }

    enum CodingKeys: String, CodingKey {
        case modes, maxNewTokens = "max_new_tokens", itemsPerBatch = "items_per_batch", resamples, seed
    }
}

/// One item answered in one mode, as streamed and as written to the results JSONL.
public struct ItemResult: Codable, Sendable, Equatable {
    /// The item id.
    public var id: String
    /// Its family.
    public var family: Family
    /// The prompt mode.
    public var mode: PromptMode
    /// The model's full response.
    public var response: String
    /// The extracted answer, nil when none.
    public var extracted: String?
    /// The judge's verdict.
    public var verdict: Verdict
    /// The annotated answer.
    public var answer: String
}

/// Accuracy per family and mode, with the average over families.
public struct EvaluationSummary: Codable, Sendable, Equatable {
    /// `cells[family][mode]`, families by raw value, modes `direct`/`cot`.
    public var cells: [String: [String: AccuracyEstimate]]
    /// Per mode, the mean of the family accuracies (the paper's "avg" column) with a bootstrap interval over all
    /// items.
    public var average: [String: AccuracyEstimate]
    /// Items whose image did not read, with the reason.
    public var skipped: [String]

    /// A summary of results (every result counted once per (id, mode)).
    public static func make(_ results: [ItemResult], resamples: Int, seed: UInt64,
                            skipped: [String] = []) -> EvaluationSummary {
        var groups: [String: [String: [Bool]]] = [:]
        for result in results {
            groups[result.family.rawValue, default: [:]][result.mode.rawValue, default: []]
                .append(result.verdict == .correct)
        }
        var cells: [String: [String: AccuracyEstimate]] = [:]
        for (family, modes) in groups {
            for (mode, outcomes) in modes {
                cells[family, default: [:]][mode] = BootstrapInterval.estimate(
                    outcomes, resamples: resamples, seed: seed ^ StableHash.fnv1a(family + "/" + mode))
            }
        }
        var average: [String: AccuracyEstimate] = [:]
        for mode in Set(results.map(\.mode.rawValue)) {
            let all = BootstrapInterval.estimate(results.filter { $0.mode.rawValue == mode }.map { $0.verdict == .correct },
                                                 resamples: resamples, seed: seed ^ StableHash.fnv1a("all/" + mode))
            let familyAccuracies = cells.values.compactMap { $0[mode]?.accuracy }
            average[mode] = AccuracyEstimate(count: all.count, correct: all.correct,
                                             accuracy: familyAccuracies.reduce(0, +) / Double(max(1, familyAccuracies.count)),
                                             low: all.low, high: all.high)
        }
        return EvaluationSummary(cells: cells, average: average, skipped: skipped)
    }
}

/// Greedy evaluation of a student on suite items with the direct and the CoT prompt, judged by the same
/// `AnswerJudge`. Results are streamed (callback) as each group of items finishes and appended to a JSONL file;
/// a rerun skips the (item, mode) pairs already there, so an interrupted evaluation resumes.
public struct Evaluator {
    /// The student.
    public let model: StudentVLM
    /// Its chat template.
    public let template: ChatTemplate
    /// The folder item image paths are relative to.
    public let imageRoot: String

    /// An evaluator.
    public init(model: StudentVLM, template: ChatTemplate, imageRoot: String) {
        self.model = model
        self.template = template
        self.imageRoot = imageRoot
    }

    /// Evaluates `items` in every configured mode, appending to `resultsFile` and calling `onResult` for each new
    /// result; returns the summary over all results in the file for these items.
    public func evaluate(_ items: [SuiteItem], config: EvaluationConfig, resultsFile: URL,
                         onResult: ((ItemResult) -> Void)? = nil) throws -> EvaluationSummary {
        guard config.itemsPerBatch >= 1, config.maxNewTokens >= 1 else {
            throw TrainingError.invalidConfiguration("items_per_batch and max_new_tokens must be at least 1")
        }
        let wanted = Set(items.map(\.id))
        var results = try JSONLines.read(ItemResult.self, from: resultsFile).filter { wanted.contains($0.id) }
        var done = Set(results.map { $0.id + "/" + $0.mode.rawValue })
        var skipped: [String] = []
        var images: [String: RGBImage] = [:]
        for item in items {
            do { images[item.id] = try ImageFile.read(path: imageRoot + "/" + item.image) } catch {
                skipped.append("item \(item.id): image \(item.image) does not decode (\(error))")
            }
        }
        let options = GenerationOptions.stoppingAtEndOfTurn(template, maxNewTokens: config.maxNewTokens)
        for mode in config.modes {
            let pending = items.filter { images[$0.id] != nil && !done.contains($0.id + "/" + mode.rawValue) }
            for start in stride(from: 0, to: pending.count, by: config.itemsPerBatch) {
                try Task.checkCancellation()
                let group = pending[start..<min(pending.count, start + config.itemsPerBatch)]
                let fresh = try answer(group.map { ($0, images[$0.id]!) }, mode: mode, options: options)
                try JSONLines.append(fresh, to: resultsFile)
                for result in fresh {
                    results.append(result)
                    done.insert(result.id + "/" + mode.rawValue)
                    onResult?(result)
                }
            }
        }
        return EvaluationSummary.make(results, resamples: config.resamples, seed: config.seed, skipped: skipped)
    }

    /// Greedy answers of a group of items (decoded together) in one mode, each judged against its annotation.
    public func answer(_ group: [(item: SuiteItem, image: RGBImage)], mode: PromptMode,
                       options: GenerationOptions) throws -> [ItemResult] {
        let requests = try group.map {
            try GenerationRequest(image: $0.image, prompt: StudentPrompting.encode($0.item, mode: mode, template: template))
        }
        return try zip(group, try model.generate(requests, options: options)).map { entry, sequences in
            let response = try template.tokenizer.decode(sequences[0].tokens, skipSpecialTokens: true)
            let judgement = AnswerJudge.judge(response, key: AnswerKey(entry.item))
            return ItemResult(id: entry.item.id, family: entry.item.family, mode: mode, response: response,
                              extracted: judgement.extracted, verdict: judgement.verdict, answer: entry.item.answer)
        }
    }
}
