import Foundation
import Imaging
import Model
import ReasonerData
import Tokenization

/// Does the student read its images? On held-out scenes (validation or test items, one per scene) it greedily
/// captions each image with the pretraining prompt, and the captions are scored against the scenes' own: exact
/// match, right number of fields, and each word slot (chart: colours, heights). It also measures the mean caption
/// loss per token with the scene's own image and with another scene's image of the same family: a model that reads
/// the image does much better with its own; equal losses mean it ignores the image and guesses from text alone.
///
/// The caption examples are built exactly as pretraining builds them (`TrainingRows.caption`, `RowExamples`), so
/// the loss here is the pretraining loss on unseen scenes.
public struct CaptionProbe {
    /// The student.
    public let model: StudentVLM
    /// Its chat template.
    public let template: ChatTemplate
    /// The folder item image paths are relative to (the suite's root).
    public let imageRoot: String

    /// A probe of `model`.
    public init(model: StudentVLM, template: ChatTemplate, imageRoot: String) {
        self.model = model
        self.template = template
        self.imageRoot = imageRoot
    }

    /// Probes the checkpoint in `checkpoint` on the first `perFamily` scenes of each family in the suite's `split`
    /// (`validation` or `test`).
    public static func run(checkpoint: URL, suite: String, split: String, perFamily: Int) throws -> CaptionProbeReport {
        let loaded = try StudentCheckpoint.load(from: checkpoint)
        let items = try RowFiles.read(SuiteItem.self, path: suite + "/\(split).jsonl").rows
        let probe = CaptionProbe(model: loaded.model, template: try ChatTemplate(tokenizer: loaded.tokenizer),
                                 imageRoot: suite)
        return try probe.run(SuiteRows.firstPerFamily(distinctScenes(items), perFamily))
    }

    /// The first item of each image.
    static func distinctScenes(_ items: [SuiteItem]) -> [SuiteItem] {
        var seen = Set<String>()
        return items.filter { seen.insert($0.image).inserted }
    }

    /// Probes the distinct scenes of `items` (items sharing an image count once); each family needs at least two
    /// scenes, so that another scene's image exists. `onFamily` is called as each family is done.
    public func run(_ items: [SuiteItem], onFamily: ((CaptionProbeFamily) -> Void)? = nil) throws -> CaptionProbeReport {
        let scenes = Self.distinctScenes(items)
        guard !scenes.isEmpty else { throw TrainingError.noUsableData("no items to probe; check the suite folder") }
        let rows = RowExamples(template: template, config: model.config)
        var families: [CaptionProbeFamily] = []
        var samples: [CaptionProbeSample] = []
        for family in Family.allCases {
            let group = scenes.filter { $0.family == family }
            if group.isEmpty { continue }
            guard group.count >= 2 else {
                throw TrainingError.noUsableData("family \(family.rawValue) has one scene; probe at least two per family")
            }
            let loaded = rows.convert(group.map(TrainingRows.caption), imageRoot: imageRoot, source: "captions")
            guard loaded.problems.isEmpty else {
                throw TrainingError.noUsableData("caption rows of held-out scenes do not convert: \(loaded.problems[0])")
            }
            let own = loaded.examples.map(\.example)
            let result = try probe(family, group: group, examples: own)
            families.append(result.family)
            samples += result.samples.prefix(3)
            onFamily?(result.family)
        }
        return CaptionProbeReport(families: families, samples: samples)
    }

    /// Generation and losses of one family's scenes.
    private func probe(_ family: Family, group: [SuiteItem], examples own: [VLMExample]) throws
        -> (family: CaptionProbeFamily, samples: [CaptionProbeSample]) {
        // Another scene's image: the next scene's, so every image is used once as the wrong one.
        let other = own.indices.map { index in
            var example = own[index]
            example.image = own[(index + 1) % own.count].image
            return example
        }
        let ownLoss = try meanTokenLoss(own), otherLoss = try meanTokenLoss(other)
        let expected = group.map(\.scene.caption)
        let longest = own.map { $0.lossMask.filter { $0 }.count }.max() ?? 1
        let options = GenerationOptions.stoppingAtEndOfTurn(template, maxNewTokens: longest + 8)
        let prompt = try StudentPrompting.encodeDescribe(template: template)
        let requests = try own.map { try GenerationRequest(image: $0.image, prompt: prompt) }
        var generated: [String] = []
        for start in stride(from: 0, to: requests.count, by: 32) {
            let batch = try model.generate(Array(requests[start..<min(requests.count, start + 32)]), options: options)
            generated += try batch.map { try template.tokenizer.decode($0[0].tokens, skipSpecialTokens: true) }
        }
        let names = CaptionFields.slotNames(family)
        var exact = 0, fieldCount = 0, fields = 0
        var slots = [Int](repeating: 0, count: names.count)
        for (text, truth) in zip(generated, expected) {
            let want = CaptionFields(parsing: truth), got = CaptionFields(parsing: text)
            if text.trimmingCharacters(in: .whitespacesAndNewlines) == truth { exact += 1 }
            if got.fields.count == want.fields.count { fieldCount += 1 }
            fields += want.fields.count
            for (slot, matches) in got.slotMatches(against: want, slots: names.count).enumerated() { slots[slot] += matches }
        }
        let n = Double(group.count)
        let result = CaptionProbeFamily(
            family: family, scenes: group.count, exact: Double(exact) / n, fieldCount: Double(fieldCount) / n,
            slots: zip(names, slots).map { CaptionSlotAccuracy(name: $0, accuracy: Double($1) / Double(max(1, fields))) },
            lossOwnImage: ownLoss, lossOtherImage: otherLoss)
        let samples = zip(group, zip(expected, generated)).map {
            CaptionProbeSample(id: $0.id, expected: $1.0, generated: $1.1)
        }
        return (result, samples)
    }

    /// Mean loss per trained token (the caption and its end-of-turn token) over `examples`.
    private func meanTokenLoss(_ examples: [VLMExample]) throws -> Double {
        let logProbs = try model.responseLogProbs(examples)
        let tokens = examples.reduce(0) { $0 + $1.lossMask.filter { $0 }.count }
        return -logProbs.reduce(0) { $0 + Double($1) } / Double(max(1, tokens))
    }
}

/// One word slot's accuracy (e.g. chart heights): right slots over all fields of the expected captions.
public struct CaptionSlotAccuracy: Codable, Sendable, Equatable {
    /// The slot (`colour`, `height`, `shape`, `word`, `number`).
    public var name: String
    /// Fraction right.
    public var accuracy: Double
}

/// The probe's numbers for one family.
public struct CaptionProbeFamily: Codable, Sendable, Equatable {
    /// The family.
    public var family: Family
    /// Held-out scenes captioned.
    public var scenes: Int
    /// Fraction of captions exactly right.
    public var exact: Double
    /// Fraction of captions with the right number of fields (bars, shapes, lines, tiles).
    public var fieldCount: Double
    /// Per word slot, the fraction of fields right.
    public var slots: [CaptionSlotAccuracy]
    /// Mean caption loss per token with each scene's own image.
    public var lossOwnImage: Double
    /// The same with another scene's image: close to `lossOwnImage` when the model ignores the image.
    public var lossOtherImage: Double

    enum CodingKeys: String, CodingKey {
        case family, scenes, exact, fieldCount = "field_count", slots, lossOwnImage = "loss_own_image",
             lossOtherImage = "loss_other_image"
    }
}

/// A generated caption beside the scene's.
public struct CaptionProbeSample: Codable, Sendable, Equatable {
    /// The item id.
    public var id: String
    /// The scene's caption.
    public var expected: String
    /// The student's greedy caption.
    public var generated: String
}

/// What the probe found: per family, and a few captions of each.
public struct CaptionProbeReport: Codable, Sendable, Equatable {
    /// Per family, in the suite's family order.
    public var families: [CaptionProbeFamily]
    /// The first captions of each family.
    public var samples: [CaptionProbeSample]

    /// A Markdown table of the families, then the sample captions.
    public var markdown: String {
        var lines = ["| family | scenes | exact | fields | slots | loss own image | loss other image |",
                     "|---|---|---|---|---|---|---|"]
        for f in families {
            let slots = f.slots.map { String(format: "%@ %.2f", $0.name, $0.accuracy) }.joined(separator: ", ")
            lines.append(String(format: "| %@ | %d | %.2f | %.2f | %@ | %.3f | %.3f |", f.family.rawValue, f.scenes,
                                f.exact, f.fieldCount, slots, f.lossOwnImage, f.lossOtherImage))
        }
        lines += ["", "| item | scene's caption | student's caption |", "|---|---|---|"]
        lines += samples.map { "| \($0.id) | \($0.expected) | \($0.generated) |" }
        return lines.joined(separator: "\n")
    }
}
