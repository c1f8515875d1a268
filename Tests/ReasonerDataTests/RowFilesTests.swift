import Foundation
import Testing
@testable import ReasonerData

@Test func conversationRowsRoundTripAsJSONLAndJSON() throws {
    let folder = try TempFolder()
    _ = try folder.write("a.png", "x")
    let rows = [
        ConversationRow(id: "1", image: "a.png", prompt: "Q?\nAnswer the question with a short answer.",
                        response: "4"),
        ConversationRow(id: "2", image: nil, prompt: "7 - 3 =", response: "7 - 3 = 4."),
    ]
    for name in ["rows.jsonl", "rows.json"] {
        let path = folder.path + "/" + name
        if name.hasSuffix("l") { try RowFiles.writeJSONL(rows, path: path) } else {
            try RowFiles.writeJSON(rows, path: path)
        }
        let batch = try RowFiles.read(ConversationRow.self, path: path, imageRoot: folder.path)
        #expect(batch.rows == rows && batch.problems.isEmpty, "\(name)")
    }
    #expect(rows[0].conversations[0].value.hasPrefix("<image>\n"))
    #expect(rows[1].conversations[0].value == "7 - 3 =")
}

@Test func badJSONLRowsAreReportedWithTheirLineAndSkipped() throws {
    let folder = try TempFolder()
    _ = try folder.write("a.png", "x")
    let good = #"{"id":"ok","image":"a.png","conversations":[{"from":"human","value":"<image>\nQ"},{"from":"gpt","value":"4"}]}"#
    let text = [
        good,
        #"{"id":"broken","image":"a.png","conversations":["#,
        #"{"id":"lost","image":"missing.png","conversations":[{"from":"human","value":"Q"},{"from":"gpt","value":"4"}]}"#,
        "",
        #"{"id":"blank","conversations":[{"from":"human","value":"Q"},{"from":"gpt","value":"  "}]}"#,
        #"{"image":"a.png","conversations":[]}"#,
        good,
    ].joined(separator: "\n")
    let path = try folder.write("rows.jsonl", text)
    let batch = try RowFiles.read(ConversationRow.self, path: path, imageRoot: folder.path)
    #expect(batch.rows.count == 2)
    #expect(batch.problems.map(\.line) == [2, 3, 5, 6])
    #expect(batch.problems[0].reason.contains("bad JSON"))
    #expect(batch.problems[1].reason.contains("missing image missing.png"))
    #expect(batch.problems[2].reason.contains("empty answer"))
    #expect(batch.problems[3].reason.contains("\"id\""))
    #expect(batch.problems[0].description.hasPrefix(path + ":2: "))
}

@Test func badJSONArrayElementsAreReportedWithTheirLine() throws {
    let folder = try TempFolder()
    let text = """
    [
      {"id": "p1", "question": "Q", "chosen": "a ### Answer: 4", "rejected": "b ### Answer: 5"},
      {"id": "p2", "question": "Q, with [brackets] and \\"quotes\\"", "chosen": "", "rejected": "b"},
      {"id": "p3", "question": "Q",
       "chosen": "same", "rejected": "same"},
      {"id": "p4", "question": "Q", "chosen": "a", "rejected": "b"}
    ]
    """
    let path = try folder.write("pairs.json", text)
    let batch = try RowFiles.read(PreferenceRow.self, path: path)
    #expect(batch.rows.map(\.id) == ["p1", "p4"])
    #expect(batch.problems.map(\.line) == [3, 4])
    #expect(batch.problems[0].reason.contains("empty answer"))
    #expect(batch.problems[1].reason.contains("same text"))
    let unclosed = try folder.write("bad.json", "[{\"id\": 1}")
    #expect(throws: DataError.self) { try RowFiles.read(PreferenceRow.self, path: unclosed) }
}

@Test func judgeFilesWriteOneVerdictPerUsableRow() throws {
    let folder = try TempFolder()
    let input = try folder.write("predictions.jsonl", [
        #"{"id":"a","prediction":"7 - 3 = 4.\n\n### Answer: 4","answer":"4","answer_type":"number"}"#,
        ####"{"id":"b","prediction":"### Answer: C","answer":"B. 4","answer_type":"multiple_choice","choices":["3","4","5","6"]}"####,
        #"{"id":"c","prediction":"I cannot tell what this image shows at all, sorry about that.","answer":"red","answer_type":"word"}"#,
        #"{"id":"d","prediction":"4","answer":"","answer_type":"number"}"#,
        #"{"id":"e","prediction":"4","answer":"4","answer_type":"float"}"#,
    ].joined(separator: "\n"))
    let output = folder.path + "/verdicts.jsonl"
    let summary = try JudgeFiles.judge(input: input, output: output)
    #expect(summary.judged == 3 && summary.correct == 1 && summary.wrong == 1 && summary.unscorable == 1)
    #expect(summary.problems.map(\.line) == [4, 5])
    let lines = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n")
    #expect(lines.count == 3)
    #expect(lines[0] == #"{"extracted":"4","extraction":"marker","id":"a","rule":"relaxed","score":1,"verdict":"correct"}"#)
    #expect(lines[2].contains(#""extracted":null"#) && lines[2].contains(#""verdict":"unscorable""#))
}

@Test func writtenSuiteIsByteIdenticalForTheSameSeed() throws {
    let a = try TempFolder(), b = try TempFolder(), c = try TempFolder()
    var config = SuiteFixtures.config(seed: 9, test: 6)
    config.train = 10
    config.validation = 4
    config.formatPerFamily = 4
    config.pretrainPerFamily = 4
    let manifest = try SuiteWriter.write(config: config, to: a.path)
    try SuiteWriter.write(config: config, to: b.path)
    config.seed = 10
    try SuiteWriter.write(config: config, to: c.path)
    let files = try FileManager.default.subpathsOfDirectory(atPath: a.path).sorted()
    #expect(files == (try FileManager.default.subpathsOfDirectory(atPath: b.path).sorted()))
    for file in files where !file.hasSuffix("images") {
        #expect(FileManager.default.contentsEqual(atPath: a.path + "/" + file, andPath: b.path + "/" + file), "\(file)")
    }
    #expect(!FileManager.default.contentsEqual(atPath: a.path + "/test.jsonl", andPath: c.path + "/test.jsonl"))
    #expect(manifest.counts["chart"] == ["train": 10, "validation": 4, "test": 6, "format": 4, "pretrain": 4,
                                         "drills": 8])
    #expect(manifest.generatorVersion == SuiteWriter.generatorVersion)
    // Every row of every file loads, and every image it names exists.
    for split in Split.allCases {
        let batch = try RowFiles.read(SuiteItem.self, path: a.path + "/\(split.rawValue).jsonl", imageRoot: a.path)
        #expect(batch.problems.isEmpty && batch.rows.count == (split == .train ? 50 : split == .test ? 30 : 20))
    }
    for (name, rows) in [("format.jsonl", 20), ("pretrain.jsonl", 20), ("drills.jsonl", 40)] {
        let batch = try RowFiles.read(ConversationRow.self, path: a.path + "/" + name, imageRoot: a.path)
        #expect(batch.problems.isEmpty && batch.rows.count == rows, "\(name)")
    }
    let format = try RowFiles.read(ConversationRow.self, path: a.path + "/format.jsonl").rows
    #expect(format.filter { $0.conversations[1].value.contains("### Answer:") }.count == 10)
    let item = try SuiteWriter.item(id: "math-test-000003", root: a.path)
    #expect(item.family == .math)
    #expect(throws: DataError.self) { try SuiteWriter.item(id: "math-test-999999", root: a.path) }
}
