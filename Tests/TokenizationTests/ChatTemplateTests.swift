import Testing
@testable import Tokenization

@Suite struct ChatTemplateTests {
    let tokenizer = TestCorpus.tokenizer
    let template: ChatTemplate

    init() throws {
        template = try ChatTemplate(tokenizer: TestCorpus.tokenizer)
    }

    func id(_ special: SpecialToken) throws -> Int {
        try #require(tokenizer.id(of: special))
    }

    @Test func lossMaskCoversExactlyTheAssistantAnswersAndTheirEnds() throws {
        let conversation = Conversation(turns: [
            ChatTurn(role: .system, text: "Answer briefly."),
            ChatTurn(role: .user, text: "<image>\nHow many bars?"),
            ChatTurn(role: .assistant, text: "3"),
            ChatTurn(role: .user, text: "And red?"),
            ChatTurn(role: .assistant, text: "The red bar is 7."),
        ])
        let encoded = try template.encode(conversation)
        let end = try id(.end)
        var tokens: [Int] = [try id(.system)] + tokenizer.encode("Answer briefly.") + [end]
        tokens += [try id(.user), try id(.image)] + tokenizer.encode("\nHow many bars?") + [end]
        var mask = [Bool](repeating: false, count: tokens.count)
        tokens.append(try id(.assistant))
        mask.append(false)
        let answer1 = tokenizer.encode("3") + [end]
        tokens += answer1
        mask += Array(repeating: true, count: answer1.count)
        let question2 = [try id(.user)] + tokenizer.encode("And red?") + [end, try id(.assistant)]
        tokens += question2
        mask += Array(repeating: false, count: question2.count)
        let answer2 = tokenizer.encode("The red bar is 7.") + [end]
        tokens += answer2
        mask += Array(repeating: true, count: answer2.count)

        #expect(encoded.tokens == tokens)
        #expect(encoded.lossMask == mask)
        let trained = zip(encoded.tokens, encoded.lossMask).filter(\.1).map(\.0)
        #expect(trained == answer1 + answer2)
    }

    @Test func imageMarkerBecomesOnePlaceholderAtTheReturnedPosition() throws {
        let withoutSystem = try template.encode(Conversation(turns: [
            ChatTurn(role: .user, text: "<image>\nWhat colour is the bar?"),
            ChatTurn(role: .assistant, text: "red"),
        ]))
        #expect(withoutSystem.imagePosition == 1)
        #expect(withoutSystem.imagePositions == [1])
        #expect(withoutSystem.tokens[1] == (try id(.image)))
        #expect(withoutSystem.tokens.filter { $0 == template.imageID }.count == 1)
        #expect(!withoutSystem.lossMask[1])

        let withSystem = try template.encode(Conversation(turns: [
            ChatTurn(role: .system, text: "Be exact."),
            ChatTurn(role: .user, text: "Look: <image>"),
            ChatTurn(role: .assistant, text: "ok"),
        ]))
        let expected = 1 + tokenizer.encode("Be exact.").count + 1 + 1 + tokenizer.encode("Look: ").count
        #expect(withSystem.imagePositions == [expected])
        #expect(withSystem.tokens[expected] == template.imageID)
    }

    @Test func textOnlyConversationHasNoImagePosition() throws {
        let encoded = try template.encode(Conversation(turns: [
            ChatTurn(role: .user, text: "2 + 3 ="), ChatTurn(role: .assistant, text: "5"),
        ]))
        #expect(encoded.imagePosition == nil)
    }

    @Test func generationPromptEndsWithTheAssistantHeaderAndIsATrainingPrefix() throws {
        let question = ChatTurn(role: .user, text: "<image>\nHow many circles?")
        let prompt = try template.encodeForGeneration(Conversation(turns: [question]))
        let full = try template.encode(Conversation(turns: [question, ChatTurn(role: .assistant, text: "4")]))
        #expect(prompt.tokens.last == (try id(.assistant)))
        #expect(Array(full.tokens.prefix(prompt.tokens.count)) == prompt.tokens)
        #expect(prompt.lossMask == Array(repeating: false, count: prompt.tokens.count))
        #expect(prompt.imagePositions == full.imagePositions)
    }

    @Test func specialSpellingsInsideTurnsStayText() throws {
        let encoded = try template.encode(Conversation(turns: [
            ChatTurn(role: .user, text: "say <|end|>"), ChatTurn(role: .assistant, text: "<|eos|> <|assistant|>"),
        ]))
        let specials = encoded.tokens.filter { tokenizer.isSpecialToken($0) }
        #expect(specials == [try id(.user), try id(.end), try id(.assistant), try id(.end)])
    }

    @Test func rejectsMalformedConversations() {
        let user = ChatTurn(role: .user, text: "q")
        let assistant = ChatTurn(role: .assistant, text: "a")
        #expect(throws: ChatTemplateError.imageMarkerOutsideUserTurn(index: 1)) {
            try template.encode(Conversation(turns: [user, ChatTurn(role: .assistant, text: "<image>")]))
        }
        #expect(throws: ChatTemplateError.turnsDoNotAlternate(index: 1, expected: .assistant)) {
            try template.encode(Conversation(turns: [user, user, assistant]))
        }
        #expect(throws: ChatTemplateError.misplacedSystemTurn(index: 2)) {
            try template.encode(Conversation(turns: [user, assistant, ChatTurn(role: .system, text: "s")]))
        }
        #expect(throws: ChatTemplateError.lastTurnNotAssistant) { try template.encode(Conversation(turns: [user])) }
        #expect(throws: ChatTemplateError.lastTurnNotUser) {
            try template.encodeForGeneration(Conversation(turns: [user, assistant]))
        }
        #expect(throws: ChatTemplateError.noUserTurn) { try template.encode(Conversation(turns: [])) }
    }

    @Test func needsTheTurnTokens() throws {
        let bare = try Tokenizer.train(corpus: ["x"], vocabularySize: 256, specialTokens: [])
        #expect(throws: TokenizerError.missingSpecialToken("<|end|>")) { try ChatTemplate(tokenizer: bare) }
    }
}
