import Foundation
import Model
import ReasonerData
import Tokenization

/// Has the student the text skills rationales use? It answers held-out drills (`BaseDrills`: named look-ups per
/// family, arithmetic, comparisons, counting) greedily, laid out as training lays them out (`RowExamples`: the
/// blank image, the drill's prompt as the user turn), and each answer is scored by exact match with the drill's
/// response, which is the sentence a rationale writes ("The blue bar is 3.").
public struct DrillProbe {
    /// The student.
    public let model: StudentVLM
    /// Its chat template.
    public let template: ChatTemplate

    /// A probe of `model`.
    public init(model: StudentVLM, template: ChatTemplate) {
        self.model = model
        self.template = template
    }

    /// Answers every drill; the report has one line per kind (look-ups per family) in `DrillKind` order.
    public func run(_ drills: [Drill]) throws -> DrillProbeReport {
        guard !drills.isEmpty else { throw TrainingError.noUsableData("no drills to probe") }
        let blank = RowExamples(template: template, config: model.config).blankImage
        let longest = try drills.map { try template.tokenizer.encode($0.response).count }.max() ?? 1
        let options = GenerationOptions.stoppingAtEndOfTurn(template, maxNewTokens: longest + 8)
        let requests = try drills.map { drill in
            try GenerationRequest(image: blank, prompt: template.encodeForGeneration(Conversation(turns: [
                ChatTurn(role: .user, text: Conversation.imageMarker + "\n" + drill.prompt),
            ])))
        }
        var answers: [String] = []
        for start in stride(from: 0, to: requests.count, by: 64) {
            let batch = try model.generate(Array(requests[start..<min(requests.count, start + 64)]), options: options)
            answers += try batch.map {
                try template.tokenizer.decode($0[0].tokens, skipSpecialTokens: true)
                    .trimmingCharacters(in: .whitespacesAndNewlines)
            }
        }
        var lines: [DrillProbeLine] = [], samples: [DrillProbeSample] = []
        let groups = Dictionary(grouping: drills.indices) { DrillProbeLine.Key(kind: drills[$0].kind, family: drills[$0].family) }
        for key in groups.keys.sorted() {
            let members = groups[key]!
            let right = members.filter { answers[$0] == drills[$0].response }.count
            lines.append(DrillProbeLine(kind: key.kind, family: key.family, drills: members.count,
                                        exact: Double(right) / Double(members.count)))
            samples += members.prefix(2).map {
                DrillProbeSample(prompt: drills[$0].prompt, expected: drills[$0].response, generated: answers[$0])
            }
        }
        return DrillProbeReport(lines: lines, samples: samples)
    }
}

/// One kind's score (a look-up's per family).
public struct DrillProbeLine: Codable, Sendable, Equatable {
    /// The skill.
    public var kind: DrillKind
    /// The caption's family for look-ups; nil otherwise.
    public var family: Family?
    /// Drills answered.
    public var drills: Int
    /// Fraction answered exactly right.
    public var exact: Double

    /// The line's name in tables: `lookup chart`, `arithmetic`.
    public var name: String { family.map { "\(kind.rawValue) \($0.rawValue)" } ?? kind.rawValue }

    /// Orders lines by kind, then family.
    struct Key: Hashable, Comparable {
        let kind: DrillKind
        let family: Family?

        static func < (lhs: Key, rhs: Key) -> Bool {
            let order = { (key: Key) in
                (DrillKind.allCases.firstIndex(of: key.kind)!, key.family.map { Family.allCases.firstIndex(of: $0)! } ?? -1)
            }
            return order(lhs) < order(rhs)
        }
    }
}

/// A drill, its expected answer and the student's.
public struct DrillProbeSample: Codable, Sendable, Equatable {
    /// The drill's prompt.
    public var prompt: String
    /// The sentence a rationale writes.
    public var expected: String
    /// The student's greedy answer.
    public var generated: String
}

/// What the drill probe found.
public struct DrillProbeReport: Codable, Sendable, Equatable {
    /// One line per kind (look-ups per family).
    public var lines: [DrillProbeLine]
    /// The first two drills of each line.
    public var samples: [DrillProbeSample]

    /// The score of a kind; for look-ups the lowest over the families.
    public func exact(_ kind: DrillKind) -> Double? {
        lines.filter { $0.kind == kind }.map(\.exact).min()
    }

    /// A Markdown table of the lines, then the samples.
    public var markdown: String {
        var out = ["| drill | drills | exact |", "|---|---|---|"]
        out += lines.map { String(format: "| %@ | %d | %.3f |", $0.name, $0.drills, $0.exact) }
        out += ["", "| prompt | expected | student |", "|---|---|---|"]
        out += samples.map {
            "| \($0.prompt.replacingOccurrences(of: "\n", with: " ⏎ ")) | \($0.expected) | \($0.generated) |"
        }
        return out.joined(separator: "\n")
    }
}
