import Artifacts
import Foundation
import Messaging
import ReasonerData
import State
import Teacher

/// The distiller: teacher → judge → keep (paper §3.1: rationales whose final answer disagrees with the annotation
/// are dropped). Writes the kept rows and a per-item report, then counts kept, dropped and unscorable rationales.
public struct DistillHandler: MessageHandler {
    /// The artifacts volume.
    public let artifacts: ArtifactStore
    /// The endpoint teacher, when this distiller has one configured.
    public let teacher: ChatTeacher?

    /// A distiller over an artifacts volume, with an endpoint teacher for `TeacherSpec.endpoint` batches.
    public init(artifacts: ArtifactStore, teacher: ChatTeacher? = nil) {
        self.artifacts = artifacts
        self.teacher = teacher
    }

    /// One line of the report: what the teacher said and what the judge made of it.
    struct ReportRow: Codable {
        var id: String
        var family: String
        var verdict: Verdict
        var rule: JudgeRule
        var extracted: String?
        var teacherError: String?
        /// Why the teacher gave nothing to judge (a failed call), when it did not.
        var failure: String?

        enum CodingKeys: String, CodingKey {
            case id, family, verdict, rule, extracted, failure
            case teacherError = "teacher_error"
        }
    }

    /// One item's rationale, or why there is none.
    private enum Written {
        case text(String, teacherError: String?, paid: Usage?)
        case failed(String)
    }

    public func handle(_ batch: DistillBatch, context: HandlerContext) async throws -> HandlerOutcome {
        let slice = ItemSlice(file: batch.dataset, firstLine: batch.firstLine, lineCount: batch.lineCount)
        let items = try slice.read(from: artifacts)
        let written = try await rationales(for: items, batch: batch)
        var kept: [ConversationRow] = []
        var report: [ReportRow] = []
        var increments: [String: Int] = [:]
        for (item, rationale) in zip(items, written) {
            guard case .text(let rationale, let teacherError, let paid) = rationale else {
                if case .failed(let reason) = rationale {
                    report.append(ReportRow(id: item.id, family: item.family.rawValue, verdict: .unscorable,
                                            rule: .noAnswer, extracted: nil, teacherError: nil, failure: reason))
                    increments["distill_failed", default: 0] += 1
                    increments["distill_failed:\(item.family.rawValue)", default: 0] += 1
                }
                continue
            }
            if let paid, let teacher {
                increments["teacher_calls", default: 0] += 1
                increments["teacher_prompt_tokens", default: 0] += paid.promptTokens
                increments["teacher_completion_tokens", default: 0] += paid.completionTokens
                increments["teacher_cost_microdollars", default: 0] +=
                    Int((teacher.endpoint.prices.cost(of: paid) * 1e6).rounded())
            }
            let judgement = AnswerJudge.judge(rationale, key: AnswerKey(item))
            report.append(ReportRow(id: item.id, family: item.family.rawValue, verdict: judgement.verdict,
                                    rule: judgement.rule, extracted: judgement.extracted, teacherError: teacherError,
                                    failure: nil))
            increments["distill_\(judgement.verdict.rawValue)", default: 0] += 1
            increments["distill_\(judgement.verdict.rawValue):\(item.family.rawValue)", default: 0] += 1
            if judgement.verdict == .correct {
                kept.append(TrainingRows.cot(item, response: rationale))
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

    /// The teacher's rationale for every item (endpoint calls all in flight at once, bounded by the teacher).
    private func rationales(for items: [SuiteItem], batch: DistillBatch) async throws -> [Written] {
        switch batch.teacher {
        case .offline(let seed, let errorRate):
            let teacher = OfflineTeacher(seed: seed, errorRate: errorRate)
            return items.map { item in
                let written = teacher.rationale(for: item)
                return .text(written.text, teacherError: written.error?.rawValue, paid: nil)
            }
        case .endpoint:
            guard let teacher else {
                throw HandlerError.permanent("this batch needs the endpoint teacher, but this distiller has none: set "
                                             + "REASONER_TEACHER_URL and REASONER_TEACHER_MODEL where it runs")
            }
            let imageRoot = (batch.dataset.path as NSString).deletingLastPathComponent
            return await withTaskGroup(of: (Int, Written).self) { group in
                for (index, item) in items.enumerated() {
                    group.addTask {
                        let image: [UInt8]
                        do {
                            image = Array(try artifacts.read(try ArtifactRef(imageRoot + "/" + item.image)))
                        } catch {
                            return (index, .failed("image \(item.image): \(error)"))
                        }
                        let prompt = TeacherPrompt.forFamily(item.family)
                        var question = item.question
                        if let choices = item.choices { question += "\n" + AnswerFormat.optionLines(choices) }
                        let reply = await teacher.ask(system: prompt.system,
                                                      instruction: prompt.userMessage(question: question),
                                                      imagePNG: image)
                        switch reply {
                        case .answered(let text, let usage, let cached):
                            return (index, .text(text, teacherError: nil,
                                                 paid: cached ? nil : usage ?? Usage(promptTokens: 0, completionTokens: 0)))
                        case .failed(let reason): return (index, .failed(reason))
                        }
                    }
                }
                var results = [Written](repeating: .failed("not asked"), count: items.count)
                for await (index, written) in group { results[index] = written }
                return results
            }
        }
    }
}
