import Artifacts
import Foundation
import Logging
import Messaging
import ReasonerData
import Testing
import Training
@testable import Pipeline

/// Samples for a shard: 8 chains per item from the offline teacher at a 40 % error rate (different seeds), so most
/// questions have a mix of right and wrong chains.
private func writeSamples(_ suite: SmallSuite, items: [SuiteItem]) throws -> ArtifactRef {
    let rows = items.map { item in
        SampledChains(id: item.id, samples: (0..<8).map { OfflineTeacher(seed: UInt64($0), errorRate: 0.4).rationale(for: item).text })
    }
    let ref = try ArtifactRef("runs/r1/samples/shard-0.jsonl")
    try suite.artifacts.write(try RowFiles.jsonLines(rows), to: ref)
    return ref
}

@Test func theJudgeScoresEveryChainAndPairsOnlyQuestionsInTheWindow() async throws {
    let suite = try SmallSuite(run: "r1", families: [.chart, .math], trainPerFamily: 15)
    defer { suite.remove() }
    let items = try RowFiles.read(SuiteItem.self, path: try suite.artifacts.path(of: suite.dataset), imageRoot: nil).rows
    let samples = try writeSamples(suite, items: items)
    let task = JudgeTask(items: suite.dataset, samples: samples, output: try ArtifactRef("runs/r1/pairs/shard-0.jsonl"))
    let outcome = try await JudgeHandler(artifacts: suite.artifacts).handle(task, context: HandlerContext(
        runID: "r1", messageID: "j1", redelivered: false, logger: Logger(label: "t") { _ in SwiftLogNoOpLogHandler() }))
    let counts = Dictionary(outcome.increments.map { ($0.field, $0.delta) }, uniquingKeysWith: +)
    #expect((counts["judge_correct"] ?? 0) + (counts["judge_wrong"] ?? 0) + (counts["judge_unscorable"] ?? 0)
            == items.count * 8, "every chain is judged")
    #expect((counts["pairs"] ?? 0) > 0)
    #expect(counts["pairs_questions"] == items.count)

    let rows = try RowFiles.read(PreferenceRow.self, path: try suite.artifacts.path(of: task.output), imageRoot: nil).rows
    #expect(rows.count == counts["pairs"])
    let byID = Dictionary(uniqueKeysWithValues: items.map { ($0.id, $0) })
    var perQuestion: [String: Int] = [:]
    for row in rows {
        let itemID = String(row.id.prefix(upTo: row.id.range(of: "-pair")!.lowerBound))
        let item = try #require(byID[itemID])
        perQuestion[itemID, default: 0] += 1
        #expect(AnswerJudge.isCorrect(row.chosen, key: AnswerKey(item)))
        #expect(!AnswerJudge.isCorrect(row.rejected, key: AnswerKey(item)))
        #expect(ChainChecker.check(row.chosen, item: item).intermediatesRight, "chosen chains are not lucky guesses")
        #expect(row.question.hasPrefix("<image>\n") && row.chosen != row.rejected)
    }
    #expect(perQuestion.values.allSatisfy { $0 <= 3 }, "at most 3 pairs per question")
    let judged = try suite.artifacts.read(try task.judged).split(separator: UInt8(ascii: "\n"))
        .map { try JSONDecoder().decode(JudgedChains.self, from: Data($0)) }
    #expect(judged.map(\.id) == items.map(\.id) && judged.allSatisfy { $0.chains.count == 8 }, "every chain judged")
    // Rejection-sampling fine-tuning's rows: correct chains whose steps check out, at most 4 per question.
    let correct = try RowFiles.read(ConversationRow.self, path: try suite.artifacts.path(of: try task.correct)).rows
    #expect(!correct.isEmpty && correct.count <= 4 * items.count)
    for row in correct {
        let item = try #require(byID[String(row.id.prefix(upTo: row.id.range(of: "-cot-rft")!.lowerBound))])
        #expect(ChainChecker.check(row.conversations[1].value, item: item).intermediatesRight)
    }
}

@Test func aShardNamingUnknownItemsIsDeadLetteredWithTheReason() async throws {
    let suite = try SmallSuite(run: "r1", families: [.chart], trainPerFamily: 3)
    defer { suite.remove() }
    let samples = try ArtifactRef("runs/r1/samples/bad.jsonl")
    try suite.artifacts.write(try RowFiles.jsonLines([SampledChains(id: "no-such-item", samples: ["### Answer: 1"])]),
                              to: samples)
    let task = JudgeTask(items: suite.dataset, samples: samples, output: try ArtifactRef("runs/r1/pairs/bad.jsonl"))
    await #expect(throws: HandlerError.permanent("runs/r1/samples/bad.jsonl: item no-such-item is not in \(suite.dataset)")) {
        _ = try await JudgeHandler(artifacts: suite.artifacts).handle(task, context: HandlerContext(
            runID: "r1", messageID: "j2", redelivered: false, logger: Logger(label: "t") { _ in SwiftLogNoOpLogHandler() }))
    }
}
