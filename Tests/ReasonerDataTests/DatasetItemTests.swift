import Foundation
import Testing
@testable import ReasonerData

@Test func aDatasetItemUsesSnakeCaseKeysAndRoundTrips() throws {
    let item = DatasetItem(id: "textvqa-1", image: "images/c.png", question: "What does the sign say?",
                           answer: "stop", answers: ["stop", "stop", "halt"], answerType: .vqa, benchmark: "textvqa",
                           split: "validation")
    let json = String(decoding: try RowFiles.encode(item), as: UTF8.self)
    #expect(json == #"{"answer":"stop","answer_type":"vqa","answers":["stop","stop","halt"],"benchmark":"textvqa","#
            + #""id":"textvqa-1","image":"images/c.png","question":"What does the sign say?","split":"validation"}"#)
    #expect(try JSONDecoder().decode(DatasetItem.self, from: Data(json.utf8)) == item)
}

@Test func aSuiteItemConvertsToTheGeneralItem() throws {
    var config = SuiteConfig()
    config.families = [.choice, .chart]
    config.train = 2
    config.validation = 1
    config.test = 1
    config.pretrainPerFamily = 1
    config.formatPerFamily = 2
    let folder = try TempFolder()
    _ = try SuiteWriter.write(config: config, to: folder.path)
    let items = try RowFiles.read(SuiteItem.self, path: folder.path + "/test.jsonl").rows
    #expect(items.count == 2)
    for suiteItem in items {
        let item = DatasetItem(suiteItem)
        #expect(item.id == suiteItem.id && item.image == suiteItem.image && item.question == suiteItem.question)
        #expect(item.answer == suiteItem.answer && item.answerType == suiteItem.answerType)
        #expect(item.choices == suiteItem.choices && item.answers == nil)
        #expect(item.benchmark == suiteItem.family.rawValue && item.split == "test")
        #expect(item.prompt(.cot) == StudentPrompt.text(for: suiteItem, mode: .cot))
        #expect(item.key == AnswerKey(suiteItem))
        #expect(item.problem == nil)
        #expect(item.score("Reasoning.\n\n### Answer: \(suiteItem.answer)") == 1)
    }
}

@Test func scoresAreGradedForANLSAndVQAAndBinaryOtherwise() {
    let vqa = DatasetItem(id: "v", image: "i.png", question: "Q", answer: "stop", answers: ["stop", "stop", "halt"],
                          answerType: .vqa)
    #expect(abs(vqa.score("### Answer: stop") - 2.0 / 3) < 1e-9)
    #expect(abs(vqa.score("halt") - 1.0 / 3) < 1e-9)
    #expect(vqa.score("go") == 0)
    let anls = DatasetItem(id: "a", image: "i.png", question: "Q", answer: "INV-0042", answerType: .anls)
    #expect(anls.score("INV-0042") == 1)
    let partial = anls.score("INV-0043")
    #expect(partial > 0.8 && partial < 1, "one character off is a graded score, not 0 or 1: \(partial)")
    #expect(anls.score("nothing like it") == 0)
    let number = DatasetItem(id: "n", image: "i.png", question: "Q", answer: "100", answerType: .number)
    #expect(number.score("### Answer: 104") == 1 && number.score("### Answer: 106") == 0)
    let choice = DatasetItem(id: "c", image: "i.png", question: "Q", answer: "B", answerType: .multipleChoice,
                             choices: ["dog", "cat"])
    #expect(choice.score("### Answer: B. cat") == 1 && choice.score("### Answer: cat") == 1)
    #expect(choice.score("### Answer: A") == 0)
    #expect(choice.judge("a long rambling reply with no answer at all in it whatsoever").verdict == .unscorable)
}

@Test func itemsThatCannotBeAskedOrJudgedSayWhy() {
    func item(answer: String = "B", type: AnswerType = .multipleChoice, choices: [String]? = ["x", "y"],
              answers: [String]? = nil) -> DatasetItem {
        DatasetItem(id: "i", image: "i.png", question: "Q", answer: answer, answers: answers, answerType: type,
                    choices: choices)
    }
    #expect(item().problem == nil)
    #expect(item(choices: nil).problem?.contains("at least two choices") == true)
    #expect(item(answer: "E").problem?.contains("neither an option letter") == true)
    #expect(item(choices: Array(repeating: "o", count: 9)).problem?.contains("at most 8") == true)
    #expect(item(answer: " ", type: .word, choices: nil).problem == "empty answer")
    #expect(item(type: .vqa, choices: nil, answers: ["a", ""]).problem?.contains("blank entry") == true)
}
