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

    /// A DPO row for a pair of responses to a suite item.
    public static func preference(_ item: SuiteItem, pair: ResponsePair, index: Int) -> PreferenceRow {
        PreferenceRow(id: "\(item.id)-pair\(index)", image: item.image,
                      question: "<image>\n" + StudentPrompt.text(for: item, mode: .cot),
                      chosen: pair.chosen, rejected: pair.rejected)
    }
}
