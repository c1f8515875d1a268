import Foundation
import Imaging
import Model
import ReasonerData
import Tokenization

/// How chains are drawn for preference pairs (the paper: 32 per question at temperature 1.0).
public struct ChainSamplingConfig: Codable, Sendable, Equatable {
    /// Chains per item.
    public var chains: Int
    /// Softmax temperature.
    public var temperature: Float
    /// Nucleus mass (1: off).
    public var topP: Float
    /// Longest chain, in tokens.
    public var maxNewTokens: Int
    /// Base seed; each item's draws come from a stream derived from (seed, item id).
    public var seed: UInt64

    /// Settings.
    public init(chains: Int = 16, temperature: Float = 1, topP: Float = 1, maxNewTokens: Int = 160, seed: UInt64 = 0) {
        self.chains = chains
        self.temperature = temperature
        self.topP = topP
        self.maxNewTokens = maxNewTokens
        self.seed = seed
    }

    enum CodingKeys: String, CodingKey {
        case chains, temperature, topP = "top_p", maxNewTokens = "max_new_tokens", seed
    }

    /// Rejects settings no sampler can honour.
    public func validate() throws(TrainingError) {
        guard chains >= 1 else { throw .invalidConfiguration("chains must be at least 1 (got \(chains))") }
        guard temperature >= 0 else { throw .invalidConfiguration("temperature must not be negative") }
        guard topP > 0, topP <= 1 else { throw .invalidConfiguration("top_p must be in (0, 1] (got \(topP))") }
        guard maxNewTokens >= 1 else { throw .invalidConfiguration("max_new_tokens must be at least 1") }
    }
}

/// One item's sampled chains, each judged against the item's answer and checked against its scene.
public struct JudgedChains: Codable, Sendable, Equatable {
    /// The item id.
    public var id: String
    /// The chains, in draw order.
    public var chains: [String]
    /// The judge's verdict of each chain.
    public var verdicts: [Verdict]
    /// The answer extracted from each chain (nil when none).
    public var answers: [String?]
    /// Whether each chain's intermediate values match the scene (`ChainCheck.intermediatesRight`).
    public var intermediatesRight: [Bool]

    /// The chains as the pair builder's samples.
    public var samples: [JudgedSample] {
        zip(chains, verdicts).map { JudgedSample(questionId: id, text: $0, verdict: $1) }
    }
}

/// Draws chains of thought from a student for suite items with the CoT prompt, and judges them — what the sampler
/// worker and the experiment runner call. Deterministic and shardable: an item's chains depend only on the model,
/// the settings and the item's id, never on which other items share the call, the order, or the process.
public struct ChainSampler {
    /// The student.
    public let model: StudentVLM
    /// Its chat template.
    public let template: ChatTemplate
    /// The folder item image paths are relative to.
    public let imageRoot: String

    /// A sampler.
    public init(model: StudentVLM, template: ChatTemplate, imageRoot: String) {
        self.model = model
        self.template = template
        self.imageRoot = imageRoot
    }

    /// The chains of each item (in item order) and the items left out because their image did not read.
    public func sample(_ items: [SuiteItem], config: ChainSamplingConfig) throws -> (chains: [JudgedChains],
                                                                                     problems: [RowProblem]) {
        try config.validate()
        var results: [JudgedChains] = []
        var problems: [RowProblem] = []
        for (index, item) in items.enumerated() {
            try Task.checkCancellation()
            let image: RGBImage
            do { image = try ImageFile.read(path: imageRoot + "/" + item.image) } catch {
                problems.append(RowProblem(file: item.image, line: index + 1,
                                           reason: "item \(item.id): image does not decode (\(error))"))
                continue
            }
            let prompt = try StudentPrompting.encode(item, mode: .cot, template: template)
            let options = GenerationOptions.stoppingAtEndOfTurn(
                template, sampling: SamplingOptions(temperature: config.temperature, topP: config.topP),
                maxNewTokens: config.maxNewTokens, seed: config.seed ^ StableHash.fnv1a(item.id))
            let generated = try model.generate(image: image, prompt: prompt, samples: config.chains, options: options)
            let texts = try generated.map { try template.tokenizer.decode($0.tokens, skipSpecialTokens: true) }
            results.append(Self.judge(item, chains: texts))
        }
        return (results, problems)
    }

    /// Judges `chains` of `item`: verdict, extracted answer and intermediate check per chain.
    public static func judge(_ item: SuiteItem, chains: [String]) -> JudgedChains {
        let key = AnswerKey(item)
        let judgements = chains.map { AnswerJudge.judge($0, key: key) }
        return JudgedChains(id: item.id, chains: chains, verdicts: judgements.map(\.verdict),
                            answers: judgements.map(\.extracted),
                            intermediatesRight: chains.map { ChainChecker.check($0, item: item).intermediatesRight })
    }

    /// DPO rows from judged chains with the paper's pair rules; with `requireRightIntermediates`, correct chains
    /// whose intermediate values are wrong are not chosen (calibration.md idea 5).
    public static func pairs(_ judged: [JudgedChains], items: [SuiteItem], config: PairConfig,
                             requireRightIntermediates: Bool) -> (rows: [PreferenceRow], statistics: PairStatistics) {
        var rightChains = Set<ChainKey>()
        for entry in judged {
            for (chain, right) in zip(entry.chains, entry.intermediatesRight) where right {
                rightChains.insert(ChainKey(id: entry.id, text: chain))
            }
        }
        let accepted = rightChains
        var filter: (@Sendable (JudgedSample) -> Bool)?
        if requireRightIntermediates {
            filter = { @Sendable sample in accepted.contains(ChainKey(id: sample.questionId, text: sample.text)) }
        }
        let (pairs, statistics) = PairBuilder(config: config).build(judged.flatMap(\.samples), acceptChosen: filter)
        let byID = Dictionary(items.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var counts: [String: Int] = [:]
        var rows: [PreferenceRow] = []
        for pair in pairs {
            guard let item = byID[pair.questionId] else { continue }
            let index = counts[pair.questionId, default: 0]
            counts[pair.questionId] = index + 1
            rows.append(TrainingRows.preference(item, pair: pair, index: index))
        }
        return (rows, statistics)
    }
}

/// A chain of an item, as a set member.
private struct ChainKey: Hashable, Sendable {
    var id: String
    var text: String
}
