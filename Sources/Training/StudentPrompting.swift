import ReasonerData
import Tokenization

/// The student's view of a suite item, the same in training rows and at inference: one user turn holding the
/// image marker and the prompt text of the mode, no system turn (`ConversationRow(id:image:prompt:response:)`
/// writes the same text into LLaVA rows).
public enum StudentPrompting {
    /// The generation encoding of `item`'s prompt in `mode`.
    public static func encode(_ item: SuiteItem, mode: PromptMode,
                              template: ChatTemplate) throws -> EncodedConversation {
        try template.encodeForGeneration(Conversation(turns: [
            ChatTurn(role: .user, text: "<image>\n" + StudentPrompt.text(for: item, mode: mode)),
        ]))
    }

    /// The generation encoding of the caption-pretraining prompt (`TrainingRows.describePrompt` after the image).
    public static func encodeDescribe(template: ChatTemplate) throws -> EncodedConversation {
        try template.encodeForGeneration(Conversation(turns: [
            ChatTurn(role: .user, text: "<image>\n" + TrainingRows.describePrompt),
        ]))
    }
}
