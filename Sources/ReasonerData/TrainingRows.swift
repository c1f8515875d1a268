/// The training rows made from suite items, in the LLaVA formats.
public enum TrainingRows {
    /// The caption-pretraining prompt.
    public static let describePrompt = "Describe the image."

    /// A direct-answer SFT row: the direct prompt, the short answer.
    public static func direct(_ item: SuiteItem) -> ConversationRow {
        ConversationRow(id: item.id + "-direct", image: item.image,
                        prompt: StudentPrompt.text(for: item, mode: .direct), response: item.answer)
    }

    /// A chain-of-thought SFT row: the CoT prompt, a full response ending in `### Answer: X`.
    public static func cot(_ item: SuiteItem, response: String) -> ConversationRow {
        ConversationRow(id: item.id + "-cot", image: item.image,
                        prompt: StudentPrompt.text(for: item, mode: .cot), response: response)
    }

    /// A caption row: "Describe the image." → "Bars: red 7, blue 3, green 5."
    public static func caption(_ record: SceneRecord) -> ConversationRow {
        caption(id: record.id + "-caption", image: "images/\(record.id).png", scene: record.scene)
    }

    /// The caption row of an item's scene (its image, its caption), as pretraining shows a caption scene: what a
    /// probe of held-out scenes scores the student on.
    public static func caption(_ item: SuiteItem) -> ConversationRow {
        caption(id: item.id + "-caption", image: item.image, scene: item.scene)
    }

    private static func caption(id: String, image: String, scene: Scene) -> ConversationRow {
        ConversationRow(id: id, image: image, prompt: describePrompt, response: scene.caption)
    }

    /// The kinds of text-only drill.
    public enum DrillKind: Sendable, CaseIterable {
        /// The caption and a question, answered in text with the rationale after the caption.
        case rationale
        /// One arithmetic line: "7 - 3 =" → "7 - 3 = 4."
        case arithmetic
        /// The caption and one look-up: "What is the value of the red bar?" → "The red bar is 7." and its answer line.
        case lookup
    }

    /// A text-only drill from a scene (calibration.md idea 2), teaching in text what a rationale does after its
    /// caption: copy a value from the caption, compute one line, or both. Falls back to a rationale drill when the
    /// query has no arithmetic step.
    public static func drill(_ record: SceneRecord, query: Query, kind: DrillKind,
                             rng: inout SeededGenerator) -> ConversationRow {
        let solution = record.scene.solve(query)
        var plain: SeededGenerator?
        if kind == .lookup {
            // Ends with the answer line like every question drill, so a one-step look-up reads the same whether
            // it comes from a drill or from a chain-of-thought target.
            let (question, sentence, value) = record.scene.lookup(&rng)
            return ConversationRow(id: record.id + "-drill", image: nil,
                                   prompt: record.scene.caption + "\n" + question,
                                   response: StudentPrompt.cotTarget(rationale: sentence, answer: value))
        }
        if kind == .arithmetic, let step = solution.steps.first(where: {
            if case .arithmetic = $0 { return true } else { return false }
        }), case .arithmetic(let lhs, let op, let rhs, _) = step {
            return ConversationRow(id: record.id + "-drill", image: nil, prompt: "\(lhs) \(op.rawValue) \(rhs) =",
                                   response: RationaleWriter.sentence(step, later: false, rng: &plain))
        }
        let sentences = RationaleWriter.sentences(caption: record.scene.caption, solution: solution, rng: &plain)
        let body = sentences.dropFirst().joined(separator: " ")
        return ConversationRow(id: record.id + "-drill", image: nil,
                               prompt: record.scene.caption + "\n" + record.scene.question(query),
                               response: StudentPrompt.cotTarget(rationale: body, answer: solution.final))
    }

    /// A DPO row for a pair of responses to a suite item.
    public static func preference(_ item: SuiteItem, pair: ResponsePair, index: Int) -> PreferenceRow {
        PreferenceRow(id: "\(item.id)-pair\(index)", image: item.image,
                      question: "<image>\n" + StudentPrompt.text(for: item, mode: .cot),
                      chosen: pair.chosen, rejected: pair.rejected)
    }
}
