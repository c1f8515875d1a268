import DatasetIO
import Foundation
import Imaging
import Testing
@testable import ReasonerData

/// The skipped rows of a manifest as (line, reason) pairs.
private func lines(_ manifest: DatasetManifest) -> [Int] { manifest.problems.map(\.line) }

private func reason(_ manifest: DatasetManifest, line: Int) -> String {
    manifest.problems.first { $0.line == line }?.reason ?? "(no problem at line \(line))"
}

@Test func llavaRowsAreCheckedOneByOneAndTheGoodOnesKeptWithTheirAnswers() throws {
    let workspace = try ImportWorkspace()
    let output = workspace.outputs + "/cot"
    let manifest = try DatasetImporter.run(.llava, ImportRequest(input: workspace.path("llava_cot.jsonl"),
                                                                 output: output))
    #expect(manifest.kind == .sft && manifest.read == 14 && manifest.kept == 3 && manifest.images == 2)
    #expect(manifest.breakdown == ["cot": 1, "direct": 1, "free": 1])
    #expect(lines(manifest) == [3, 4, 5, 6, 7, 8, 9, 10, 13, 14, 15])
    #expect(reason(manifest, line: 3).contains("bad JSON"))
    #expect(reason(manifest, line: 4).contains("missing image charts/missing.png"))
    #expect(reason(manifest, line: 5).contains("`..` component"))
    #expect(reason(manifest, line: 6).contains("absolute"))
    #expect(reason(manifest, line: 7).contains("### Answer: is empty"))
    #expect(reason(manifest, line: 8).contains("no <image> marker"))
    #expect(reason(manifest, line: 9).contains("not a PNG or JPEG"))
    #expect(reason(manifest, line: 10).contains("duplicate id chartqa-1 (first used at line 1)"))
    #expect(reason(manifest, line: 13).contains("leads outside the images folder"))
    #expect(reason(manifest, line: 14).contains("2 <image> markers"))
    #expect(reason(manifest, line: 15).contains("gpt"))
    #expect(manifest.problems.allSatisfy { $0.file == workspace.path("llava_cot.jsonl") })

    let rows = try RowFiles.read(SFTRow.self, path: output + "/sft.jsonl", imageRoot: output)
    #expect(rows.problems.isEmpty)
    #expect(rows.rows.map(\.id) == ["chartqa-1", "2", "caption-1"])
    #expect(rows.rows.map(\.style) == [.cot, .direct, .free])
    #expect(rows.rows.map(\.answer) == ["7", "3", nil])
    #expect(rows.rows.map(\.image) == ["images/charts/a.png", "images/charts/b.jpg", nil])
    // The trainers' own reader takes the file as plain LLaVA rows.
    let plain = try RowFiles.read(ConversationRow.self, path: output + "/sft.jsonl", imageRoot: output)
    #expect(plain.rows.count == 3 && plain.rows[0].conversations[1].value.hasSuffix("### Answer: 7"))
    #expect(try ImageFile.read(path: output + "/images/charts/a.png") == ImportWorkspace.picture(seed: 1))
    #expect(!FileManager.default.fileExists(atPath: output + "/images/charts/link.png"))
    #expect(try DatasetManifest.load(folder: output) == manifest)
}

@Test func aJSONArrayOfLLaVARowsReportsTheLineEachElementStartsOn() throws {
    let workspace = try ImportWorkspace()
    let manifest = try DatasetImporter.run(.llava, ImportRequest(input: workspace.path("llava_direct.json"),
                                                                 output: workspace.outputs + "/direct"))
    #expect(manifest.kept == 2 && lines(manifest) == [5] && reason(manifest, line: 5).contains("empty answer"))
    #expect(manifest.breakdown == ["direct": 2] && manifest.images == 1, "one image named by two rows is copied once")
}

@Test func paperDPORowsKeepTheirPairsAndNameRowsWithoutAnID() throws {
    let workspace = try ImportWorkspace()
    let output = workspace.outputs + "/pairs"
    let manifest = try DatasetImporter.run(.dpo, ImportRequest(input: workspace.path("dpo_pairs.jsonl"),
                                                               output: output))
    #expect(manifest.kind == .preference && manifest.read == 6 && manifest.kept == 2)
    #expect(lines(manifest) == [3, 4, 5, 6])
    #expect(reason(manifest, line: 3).contains("the same text"))
    #expect(reason(manifest, line: 4).contains("\"rejected\""))
    #expect(reason(manifest, line: 5).contains("missing image"))
    #expect(reason(manifest, line: 6).contains("2 <image> markers"))
    let rows = try RowFiles.read(PreferenceRow.self, path: output + "/pairs.jsonl", imageRoot: output).rows
    #expect(rows.map(\.id) == ["chartqa-1-pair0", "dpo_pairs-2"])
    #expect(rows[1].image == "images/charts/b.jpg" && rows[1].chosen.hasSuffix("### Answer: 3"))
}

/// The items every benchmark fixture (CSV, JSONL) holds when imported with `--benchmark chartqa --split validation`.
private let expectedItems: [DatasetItem] = [
    DatasetItem(id: "chartqa-val-1", image: "images/charts/a.png", question: "What is the highest value?",
                answer: "7", answerType: .number, benchmark: "chartqa", split: "validation"),
    DatasetItem(id: "textvqa-val-1", image: "images/photos/c.png", question: "What does the sign say?",
                answer: "stop", answers: ["stop", "stop", "halt"], answerType: .vqa, benchmark: "textvqa",
                split: "validation"),
    DatasetItem(id: "aokvqa-val-1", image: "images/photos/c.png", question: "What animal is shown?", answer: "B",
                answerType: .multipleChoice, choices: ["A dog", "A cat", "A bird"], benchmark: "aokvqa",
                split: "validation"),
    DatasetItem(id: "docvqa-val-1", image: "images/docs/page.png", question: "What is the invoice number, as printed?",
                answer: "INV-0042", answers: ["INV-0042", "INV 0042"], answerType: .anls, benchmark: "docvqa",
                split: "validation"),
    DatasetItem(id: "chartqa-val-2", image: "images/charts/b.jpg", question: "How many\nbars?", answer: "3",
                answerType: .number, benchmark: "chartqa", split: "validation"),
]

@Test func benchmarkItemsFromCSVKeepQuotedCommasAndLineBreaksAndReportBadRecordsByLine() throws {
    let workspace = try ImportWorkspace()
    let output = workspace.outputs + "/csv"
    let manifest = try DatasetImporter.run(.items, ImportRequest(
        input: workspace.path("items.csv"), output: output, benchmark: "chartqa", split: "validation"))
    let items = try RowFiles.read(DatasetItem.self, path: output + "/items.jsonl", imageRoot: output)
    #expect(items.problems.isEmpty && items.rows == expectedItems)
    #expect(manifest.read == 9 && manifest.kept == 5 && manifest.ignoredColumns == ["notes"])
    #expect(manifest.breakdown == ["chartqa": 2, "textvqa": 1, "aokvqa": 1, "docvqa": 1])
    #expect(lines(manifest) == [7, 8, 9, 10])
    #expect(reason(manifest, line: 7).contains("4 fields but the header has 9 columns"))
    #expect(reason(manifest, line: 8).contains("answer_type \"ratio\" is not one of"))
    #expect(reason(manifest, line: 9).contains("neither an option letter"))
    #expect(reason(manifest, line: 10).contains("missing image"))
}

@Test func benchmarkItemsFromJSONLMatchTheCSVOnes() throws {
    let workspace = try ImportWorkspace()
    let output = workspace.outputs + "/jsonl"
    let manifest = try DatasetImporter.run(.items, ImportRequest(
        input: workspace.path("items.jsonl"), output: output, benchmark: "chartqa", split: "validation"))
    #expect(try RowFiles.read(DatasetItem.self, path: output + "/items.jsonl").rows == expectedItems)
    #expect(lines(manifest) == [5, 6, 7, 8])
    #expect(reason(manifest, line: 5).contains("no \"answer_type\""))
    let json = try DatasetImporter.run(.items, ImportRequest(input: workspace.path("items.json"),
                                                             output: workspace.outputs + "/json"))
    #expect(json.kept == 2 && lines(json) == [4] && reason(json, line: 4) == "empty question")
}

@Test func theSyntheticSuiteImportsAsGeneralItems() throws {
    let folder = try TempFolder()
    var config = SuiteConfig()
    config.families = [.counting]
    config.train = 3
    config.validation = 1
    config.test = 2
    config.pretrainPerFamily = 1
    config.formatPerFamily = 2
    _ = try SuiteWriter.write(config: config, to: folder.path + "/suite")
    let manifest = try DatasetImporter.run(.suite, ImportRequest(input: folder.path + "/suite/test.jsonl",
                                                                 output: folder.path + "/items"))
    let suite = try RowFiles.read(SuiteItem.self, path: folder.path + "/suite/test.jsonl").rows
    let items = try RowFiles.read(DatasetItem.self, path: folder.path + "/items/items.jsonl",
                                  imageRoot: folder.path + "/items").rows
    #expect(manifest.kept == suite.count && manifest.problems.isEmpty && items.count == 2)
    #expect(items == suite.map { var item = DatasetItem($0); item.image = "images/" + $0.image; return item })
}

@Test func anImportNeverOverwritesAFolderItDidNotWriteAndNeverWritesAnEmptyDataset() throws {
    let workspace = try ImportWorkspace()
    let request = ImportRequest(input: workspace.path("llava_cot.jsonl"), output: workspace.root)
    #expect(throws: DatasetIOError.outputNotADataset(workspace.root)) { try DatasetImporter.run(.llava, request) }
    // A second import over an earlier one replaces it.
    let again = ImportRequest(input: workspace.path("llava_direct.json"), output: workspace.outputs + "/same")
    _ = try DatasetImporter.run(.llava, ImportRequest(input: workspace.path("llava_cot.jsonl"),
                                                      output: workspace.outputs + "/same"))
    #expect(try DatasetImporter.run(.llava, again).kept == 2)
    #expect(!FileManager.default.fileExists(atPath: workspace.outputs + "/same/images/charts/a.png"))
    // A file whose rows are all bad writes nothing and says why.
    let bad = workspace.path("bad.jsonl")
    try Data("{\"id\": \"x\"}\nnot json\n".utf8).write(to: URL(fileURLWithPath: bad))
    do {
        _ = try DatasetImporter.run(.llava, ImportRequest(input: bad, output: workspace.outputs + "/bad"))
        Issue.record("an import of only bad rows must fail")
    } catch DatasetIOError.noUsableRows(let file, let problems) {
        #expect(file == bad && problems.map(\.line) == [1, 2])
    }
    #expect(!FileManager.default.fileExists(atPath: workspace.outputs + "/bad"))
    #expect(throws: DatasetIOError.missingColumns(file: workspace.path("items.json.csv"), columns: ["answer_type"])) {
        try Data("id,image,question,answer\n1,a.png,Q,4\n".utf8)
            .write(to: URL(fileURLWithPath: workspace.path("items.json.csv")))
        _ = try DatasetImporter.run(.items, ImportRequest(input: workspace.path("items.json.csv"),
                                                          output: workspace.outputs + "/nocolumn"))
    }
}
