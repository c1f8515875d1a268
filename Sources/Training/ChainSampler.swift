import Foundation
import Imaging
import Model
import ReasonerData
import Tokenization

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

    /// Judged chains from their parts.
    public init(id: String, chains: [String], verdicts: [Verdict], answers: [String?], intermediatesRight: [Bool]) {
        self.id = id
        self.chains = chains
        self.verdicts = verdicts
        self.answers = answers
        self.intermediatesRight = intermediatesRight
    }

    /// The chains as the pair builder's samples.
    public var samples: [JudgedSample] {
        zip(chains, verdicts).map { JudgedSample(questionId: id, text: $0, verdict: $1) }
    }
}

/// Chains of thought drawn from a student for suite items with the CoT prompt, judged, and turned into pairs: the
/// one implementation the sampler, the judge and the verifier workers call. Deterministic and shardable: an item's
/// draws come from a stream of (seed, item id) alone, never from which other items share the call, their order or
/// the process.
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

    /// `chains` chains for each item (in item order) with the sampling options and token budget, and the items left
    /// out because their image did not read. With `itemsPerBatch` 1 (the default) an item's chains are one batch of
    /// their own and depend on nothing else; decoding several items together is faster, but a row's last bits then
    /// depend on its batch mates (the GEMMs round by position), so a chain may differ between shardings.
    public func draw(_ items: [SuiteItem], chains: Int, sampling: SamplingOptions, maxNewTokens: Int, seed: UInt64,
                     itemsPerBatch: Int = 1) throws -> (chains: [(id: String, chains: [String])], problems: [RowProblem]) {
        guard chains >= 1, maxNewTokens >= 1, itemsPerBatch >= 1 else {
            throw TrainingError.invalidConfiguration("chains, max_new_tokens and items per batch must be at least 1")
        }
        var results: [(id: String, chains: [String])] = []
        var problems: [RowProblem] = []
        let options = GenerationOptions.stoppingAtEndOfTurn(template, sampling: sampling, maxNewTokens: maxNewTokens)
        for start in stride(from: 0, to: items.count, by: itemsPerBatch) {
            try Task.checkCancellation()
            var batch: [(item: SuiteItem, request: GenerationRequest)] = []
            for (offset, item) in items[start..<min(items.count, start + itemsPerBatch)].enumerated() {
                let image: RGBImage
                do { image = try ImageFile.read(path: imageRoot + "/" + item.image) } catch {
                    problems.append(RowProblem(file: item.image, line: start + offset + 1,
                                               reason: "item \(item.id): image does not decode (\(error))"))
                    continue
                }
                let prompt = try StudentPrompting.encode(item, mode: .cot, template: template)
                batch.append((item, try GenerationRequest(image: image, prompt: prompt, samples: chains,
                                                          seed: seed ^ StableHash.fnv1a(item.id))))
            }
            guard !batch.isEmpty else { continue }
            for (entry, generated) in zip(batch, try model.generate(batch.map(\.request), options: options)) {
                results.append((entry.item.id, try generated.map {
                    try template.tokenizer.decode($0.tokens, skipSpecialTokens: true)
                }))
            }
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
