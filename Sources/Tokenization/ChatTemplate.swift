/// Renders conversations to token ids for the student:
///
///     <|system|>text<|end|><|user|><|image|>\nquestion<|end|><|assistant|>answer<|end|>
///
/// Turn headers and ends are special tokens (never produced by text), so no prompt suffix costs tokens and data
/// cannot fake a turn. The loss mask is true exactly on each assistant answer and its `<|end|>` — the model learns
/// to stop there — and false on the system, user and header tokens. Each `<image>` marker in a user turn becomes
/// one `<|image|>` token, whose index is returned so the model can splice in the image embeddings.
public struct ChatTemplate: Sendable {
    /// The tokenizer used for the turns' text.
    public let tokenizer: Tokenizer
    /// Token the model emits to end its turn; sampling stops on it.
    public let endOfTurnID: Int
    /// The placeholder token for an image.
    public let imageID: Int
    private let systemID: Int
    private let userID: Int
    private let assistantID: Int

    /// A template over `tokenizer`, which must have the `SpecialToken` turn tokens (trained tokenizers have them).
    public init(tokenizer: Tokenizer) throws(TokenizerError) {
        func id(_ special: SpecialToken) throws(TokenizerError) -> Int {
            guard let id = tokenizer.id(of: special) else { throw .missingSpecialToken(special.rawValue) }
            return id
        }
        self.tokenizer = tokenizer
        endOfTurnID = try id(.end)
        imageID = try id(.image)
        systemID = try id(.system)
        userID = try id(.user)
        assistantID = try id(.assistant)
    }

    /// Tokens and loss mask of a training conversation, which must end with the assistant's answer.
    public func encode(_ conversation: Conversation) throws(ChatTemplateError) -> EncodedConversation {
        try validate(conversation)
        guard conversation.turns.last?.role == .assistant else { throw .lastTurnNotAssistant }
        return render(conversation.turns)
    }

    /// Tokens of a generation prompt: the conversation (ending with a user turn) and then the assistant header,
    /// so the model's next token starts its answer. The loss mask is all false.
    public func encodeForGeneration(_ conversation: Conversation) throws(ChatTemplateError) -> EncodedConversation {
        try validate(conversation)
        guard conversation.turns.last?.role == .user else { throw .lastTurnNotUser }
        var encoded = render(conversation.turns)
        encoded.tokens.append(assistantID)
        encoded.lossMask.append(false)
        return encoded
    }

    /// Checks the turn order: optional system first, then user/assistant alternating from the user; images in user turns only.
    private func validate(_ conversation: Conversation) throws(ChatTemplateError) {
        var expected = ChatRole.user
        for (index, turn) in conversation.turns.enumerated() {
            if turn.role != .user && turn.text.contains(Conversation.imageMarker) {
                throw .imageMarkerOutsideUserTurn(index: index)
            }
            if turn.role == .system {
                guard index == 0 else { throw .misplacedSystemTurn(index: index) }
                continue
            }
            guard turn.role == expected else { throw .turnsDoNotAlternate(index: index, expected: expected) }
            expected = expected == .user ? .assistant : .user
        }
        guard conversation.turns.contains(where: { $0.role == .user }) else { throw .noUserTurn }
    }

    /// Renders validated turns: header, body, end for each, masking assistant bodies and their end token.
    private func render(_ turns: [ChatTurn]) -> EncodedConversation {
        var tokens: [Int] = []
        var lossMask: [Bool] = []
        var imagePositions: [Int] = []
        for turn in turns {
            let trained = turn.role == .assistant
            tokens.append(header(turn.role))
            lossMask.append(false)
            let bodyStart = tokens.count
            if turn.role == .user {
                for (index, segment) in turn.text.split(separator: Conversation.imageMarker, omittingEmptySubsequences: false).enumerated() {
                    if index > 0 {
                        imagePositions.append(tokens.count)
                        tokens.append(imageID)
                    }
                    tokenizer.append(String(segment), to: &tokens)
                }
            } else {
                tokenizer.append(turn.text, to: &tokens)
            }
            tokens.append(endOfTurnID)
            lossMask += repeatElement(trained, count: tokens.count - bodyStart)
        }
        return EncodedConversation(tokens: tokens, lossMask: lossMask, imagePositions: imagePositions)
    }

    /// The header token of a role.
    private func header(_ role: ChatRole) -> Int {
        switch role {
        case .system: systemID
        case .user: userID
        case .assistant: assistantID
        }
    }
}
