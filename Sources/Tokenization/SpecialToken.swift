/// The special tokens of the student's format. Each has its own id that plain text never encodes to:
/// typing "<|eos|>" in a caption gives ordinary byte tokens, so data cannot forge a turn boundary.
public enum SpecialToken: String, Sendable, CaseIterable {
    /// Padding for batches; id 0 in a trained tokenizer so zero-filled buffers are padding.
    case pad = "<|pad|>"
    /// End of a plain-text document (pretraining rows); conversations end turns with `end` instead.
    case eos = "<|eos|>"
    /// Header of the system turn.
    case system = "<|system|>"
    /// Header of a user turn.
    case user = "<|user|>"
    /// Header of an assistant turn; generation prompts end with it.
    case assistant = "<|assistant|>"
    /// End of a turn; the assistant's copy is trained and is where sampling stops.
    case end = "<|end|>"
    /// Placeholder the model replaces by the image embeddings (the `<image>` marker of a user message).
    case image = "<|image|>"
}
