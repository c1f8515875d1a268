import Foundation
import ReasonerData

/// The SFT rows files of a written suite, by mix source name: `format`, `captions`, `drills` as the suite wrote
/// them, and `direct` / `cot` made here from the training split — direct answers, and rationales from the offline
/// teacher kept only when their answer agrees with the annotation (the paper's distillation filter). The fleet's
/// distiller makes the same CoT rows through the queue; this is the one-process path of experiments and tests.
public enum SuiteRows {
    /// Writes `direct.jsonl` and `cot.jsonl` into `output` (once: existing files are kept) and returns every
    /// source's file path.
    public static func prepare(suiteRoot: String, output: String, teacher: OfflineTeacher) throws -> [String: String] {
        let direct = output + "/direct.jsonl", cot = output + "/cot.jsonl"
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: cot) {
            let items = try RowFiles.read(SuiteItem.self, path: suiteRoot + "/train.jsonl").rows
            try RowFiles.writeJSONL(items.map(TrainingRows.direct), path: direct)
            let rationales = items.map { ($0, teacher.rationale(for: $0)) }
            try RowFiles.writeJSONL(rationales.filter { AnswerJudge.isCorrect($1.text, key: AnswerKey($0)) }
                .map { TrainingRows.cot($0, response: $1.text) }, path: cot)
        }
        return ["format": suiteRoot + "/format.jsonl", "captions": suiteRoot + "/pretrain.jsonl",
                "drills": suiteRoot + "/drills.jsonl", "direct": direct, "cot": cot]
    }

    /// Every text of some rows files (prompts and responses, without the image marker), in order: the corpus a
    /// fresh student's tokenizer is trained on.
    public static func corpus(paths: [String]) throws -> [String] {
        var texts: [String] = []
        for path in paths {
            for row in try RowFiles.read(ConversationRow.self, path: path).rows {
                texts += row.conversations.map { $0.value.replacingOccurrences(of: "<image>\n", with: "") }
            }
        }
        return texts
    }

    /// The first `perFamily` items of each family, families in the suite's order (the items a sampling or an
    /// evaluation budget covers).
    public static func firstPerFamily(_ items: [SuiteItem], _ perFamily: Int) -> [SuiteItem] {
        Family.allCases.flatMap { family in items.filter { $0.family == family }.prefix(perFamily) }
    }
}
