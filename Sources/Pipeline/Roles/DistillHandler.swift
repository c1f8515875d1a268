import Artifacts
import Foundation
import Messaging
import ReasonerData
import State

/// The distiller: teacher → judge → keep (paper §3.1: rationales whose final answer disagrees with the annotation
/// are dropped). Writes the kept rows and a per-item report, then counts kept, dropped and unscorable rationales.
public struct DistillHandler: MessageHandler {
    /// The artifacts volume.
    public let artifacts: ArtifactStore

    /// A distiller over an artifacts volume.
    public init(artifacts: ArtifactStore) {
        self.artifacts = artifacts
    }

    /// One line of the report: what the teacher said and what the judge made of it.
    struct ReportRow: Codable {
        var id: String
        var family: String
        var verdict: Verdict
        var rule: JudgeRule
        var extracted: String?
        var teacherError: String?

        enum CodingKeys: String, CodingKey {
            case id, family, verdict, rule, extracted
            case teacherError = "teacher_error"
        }
    }

    public func handle(_ batch: DistillBatch, context: HandlerContext) async throws -> HandlerOutcome {
        let items = try readSlice(batch)
        var kept: [ConversationRow] = []
        var report: [ReportRow] = []
        var increments: [String: Int] = [:]
        for item in items {
            let rationale: String
            let teacherError: String?
            switch batch.teacher {
            case .offline(let seed, let errorRate):
                let written = OfflineTeacher(seed: seed, errorRate: errorRate).rationale(for: item)
                rationale = written.text
                teacherError = written.error?.rawValue
            }
            let judgement = AnswerJudge.judge(rationale, key: AnswerKey(item))
            report.append(ReportRow(id: item.id, family: item.family.rawValue, verdict: judgement.verdict,
                                    rule: judgement.rule, extracted: judgement.extracted, teacherError: teacherError))
            increments["distill_\(judgement.verdict.rawValue)", default: 0] += 1
            increments["distill_\(judgement.verdict.rawValue):\(item.family.rawValue)", default: 0] += 1
            if judgement.verdict == .correct {
                kept.append(ConversationRow(id: item.id, image: item.image,
                                            prompt: "<image>\n" + StudentPrompt.text(for: item, mode: .cot),
                                            response: rationale))
            }
        }
        try artifacts.write(try RowFiles.jsonLines(kept), to: batch.output)
        try artifacts.write(try RowFiles.jsonLines(report), to: try ArtifactRef(batch.output.path + ".report.jsonl"))
        increments["distill_batches", default: 0] += 1
        let counters = StateKeys.counters(context.runID)
        return HandlerOutcome(
            result: ["kept": String(kept.count), "items": String(items.count)],
            increments: increments.sorted { $0.key < $1.key }.map {
                CounterIncrement(key: counters, field: $0.key, delta: $0.value)
            },
            events: [StreamAppend(stream: StateKeys.events(context.runID), fields: [
                "kind": "distill.batch", "output": batch.output.path,
                "kept": String(kept.count), "items": String(items.count),
            ])])
    }

    private func readSlice(_ batch: DistillBatch) throws -> [SuiteItem] {
        let data = try artifacts.read(batch.dataset)
        let lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        guard batch.firstLine >= 0, batch.lineCount >= 0, batch.firstLine + batch.lineCount <= lines.count else {
            throw HandlerError.permanent("lines \(batch.firstLine)..<\(batch.firstLine + batch.lineCount) are outside "
                                         + "\(batch.dataset) (\(lines.count) lines)")
        }
        let decoder = JSONDecoder()
        return try lines[batch.firstLine..<(batch.firstLine + batch.lineCount)].enumerated().compactMap { offset, line in
            guard !line.isEmpty else { return nil }
            do {
                return try decoder.decode(SuiteItem.self, from: Data(line))
            } catch {
                throw HandlerError.permanent("\(batch.dataset):\(batch.firstLine + offset + 1): not a suite item (\(error))")
            }
        }
    }
}
