import DatasetIO
import Foundation
import Imaging
import Testing
@testable import ReasonerData

/// The shape of a JSON value: object keys and the kinds of values under them, recursively; an array's shape is the
/// set of its elements' shapes. Two rows with the same shape are read alike by a loader that goes by keys and types.
private func shape(_ value: Any) -> String {
    switch value {
    case let object as [String: Any]:
        return "{" + object.keys.sorted().map { "\($0):\(shape(object[$0]!))" }.joined(separator: ",") + "}"
    case let array as [Any]:
        return "[" + Set(array.map(shape)).sorted().joined(separator: "|") + "]"
    case is String: return "string"
    case is NSNull: return "null"
    case is NSNumber: return "number"  // (booleans too: none of the compared rows holds one)
    default: return "?"
    }
}

private func json(_ text: String) throws -> Any { try JSONSerialization.jsonObject(with: Data(text.utf8)) }

private func rows(_ path: String) throws -> [Any] {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    if data.first == UInt8(ascii: "[") { return try #require(try JSONSerialization.jsonObject(with: data) as? [Any]) }
    return try String(decoding: data, as: UTF8.self).split(separator: "\n").map { try json(String($0)) }
}

// Published example rows, written out with their documented keys and value kinds (paths for images: what a JSON
// file holds before `datasets` casts the column to images).
/// TRL's conversational vision SFT row (TRL docs, "Vision datasets").
private let trlSFTExample = #"{"messages": [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "What color is the sky in the image?"}]}, {"role": "assistant", "content": [{"type": "text", "text": "It is blue."}]}], "images": ["sky.png"]}"#
/// TRL's vision DPO row, as the RLAIF-V dataset formatted for TRL's DPO trainer has it.
private let trlDPOExample = #"{"prompt": [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "Describe the image."}]}], "chosen": [{"role": "assistant", "content": [{"type": "text", "text": "A man on a stage."}]}], "rejected": [{"role": "assistant", "content": [{"type": "text", "text": "A woman on a boat."}]}], "images": ["image_0.jpeg"]}"#
/// LLaMA-Factory's multimodal sharegpt SFT row (data/README.md, "Multimodal Image Dataset").
private let factorySFTExample = #"{"conversations": [{"from": "human", "value": "<image>human instruction"}, {"from": "gpt", "value": "model response"}], "images": ["image path (required)"]}"#
/// LLaMA-Factory's multimodal preference row (its RLHF-V dataset).
private let factoryDPOExample = #"{"conversations": [{"from": "human", "value": "<image>What are the key features you observe in the image?"}], "chosen": {"from": "gpt", "value": "A young man standing on stage."}, "rejected": {"from": "gpt", "value": "A young man standing on a boat."}, "images": ["image_0.jpeg"]}"#
/// The paper's DPO row.
private let paperDPOExample = #"{"id": "chartqa-1", "image": "chartqa/1.png", "question": "<image>\nQ", "chosen": "a", "rejected": "b"}"#

/// Imports the LLaVA and DPO fixtures of a workspace; returns the two dataset folders.
private func imported(_ workspace: borrowing ImportWorkspace) throws -> (sft: String, pairs: String) {
    let sft = workspace.outputs + "/sft", pairs = workspace.outputs + "/pairs"
    _ = try DatasetImporter.run(.llava, ImportRequest(input: workspace.path("llava_cot.jsonl"), output: sft))
    _ = try DatasetImporter.run(.dpo, ImportRequest(input: workspace.path("dpo_pairs.jsonl"), output: pairs))
    return (sft, pairs)
}

@Test func trlExportsHaveTheShapeOfTRLsVisionExamples() throws {
    let workspace = try ImportWorkspace()
    let (sft, pairs) = try imported(workspace)
    let sftOut = workspace.outputs + "/trl-sft", dpoOut = workspace.outputs + "/trl-dpo"
    let sftManifest = try DatasetExporter.run(.trl, ExportRequest(input: sft, output: sftOut))
    #expect(sftManifest.exported == 3 && sftManifest.rows == "sft.jsonl" && sftManifest.problems.isEmpty)
    let sftRows = try rows(sftOut + "/sft.jsonl")
    #expect(shape(sftRows[0]) == shape(try json(trlSFTExample)))
    let first = try #require(sftRows[0] as? [String: Any])
    let user = try #require((first["messages"] as? [[String: Any]])?.first)
    #expect(user["role"] as? String == "user")
    #expect((user["content"] as? [[String: String]]) == [
        ["type": "image"],
        ["type": "text", "text": "What is the highest bar? Generate a reason first and then output a short answer."],
    ])
    #expect(first["images"] as? [String] == ["images/charts/a.png"])
    #expect(try ImageFile.read(path: sftOut + "/images/charts/a.png") == ImportWorkspace.picture(seed: 1))
    let textOnly = try #require(sftRows[2] as? [String: Any])
    #expect(textOnly["images"] as? [String] == [], "a text-only row has an empty images list")

    let dpoManifest = try DatasetExporter.run(.trl, ExportRequest(input: pairs, output: dpoOut))
    #expect(dpoManifest.exported == 2 && dpoManifest.rows == "dpo.jsonl")
    let dpoRows = try rows(dpoOut + "/dpo.jsonl")
    for row in dpoRows { #expect(shape(row) == shape(try json(trlDPOExample))) }
    // The second pair's question had no <image> marker: the image part is put in front.
    let second = try #require(dpoRows[1] as? [String: Any])
    let prompt = try #require((second["prompt"] as? [[String: Any]])?.first?["content"] as? [[String: String]])
    #expect(prompt.first == ["type": "image"] && prompt.count == 2)
}

@Test func llamaFactoryExportsMatchItsSharegptExamplesAndRegisterThemselves() throws {
    let workspace = try ImportWorkspace()
    let (sft, pairs) = try imported(workspace)
    let sftOut = workspace.outputs + "/lf-sft", dpoOut = workspace.outputs + "/lf-dpo"
    _ = try DatasetExporter.run(.llamaFactory, ExportRequest(input: sft, output: sftOut, name: "charts_cot"))
    let sftRows = try rows(sftOut + "/sft.json")
    #expect(sftRows.count == 3)
    #expect(shape(sftRows[0]) == shape(try json(factorySFTExample)))
    let info = try json(String(decoding: try Data(contentsOf: URL(fileURLWithPath: sftOut + "/dataset_info.json")),
                               as: UTF8.self))
    #expect((info as? NSDictionary) == (try json("""
        {"charts_cot": {"file_name": "sft.json", "formatting": "sharegpt",
                        "columns": {"messages": "conversations", "images": "images"},
                        "tags": {"role_tag": "from", "content_tag": "value", "user_tag": "human",
                                 "assistant_tag": "gpt", "system_tag": "system"}}}
        """) as? NSDictionary))

    _ = try DatasetExporter.run(.llamaFactory, ExportRequest(input: pairs, output: dpoOut))
    let dpoRows = try rows(dpoOut + "/dpo.json")
    for row in dpoRows { #expect(shape(row) == shape(try json(factoryDPOExample))) }
    let second = try #require(dpoRows[1] as? [String: Any])
    let question = try #require((second["conversations"] as? [[String: String]])?.first?["value"])
    #expect(question.hasPrefix("<image>\n"), "the marker LLaMA-Factory counts images by is put in front")
    let dpoInfo = try json(String(decoding: try Data(contentsOf: URL(fileURLWithPath: dpoOut + "/dataset_info.json")),
                                  as: UTF8.self))
    #expect((dpoInfo as? NSDictionary) == (try json("""
        {"reasoner_dpo": {"file_name": "dpo.json", "formatting": "sharegpt", "ranking": true,
                          "columns": {"messages": "conversations", "chosen": "chosen", "rejected": "rejected",
                                      "images": "images"},
                          "tags": {"role_tag": "from", "content_tag": "value", "user_tag": "human",
                                   "assistant_tag": "gpt", "system_tag": "system"}}}
        """) as? NSDictionary))
}

@Test func paperExportsAreThePapersOwnRows() throws {
    let workspace = try ImportWorkspace()
    let (sft, pairs) = try imported(workspace)
    let sftOut = workspace.outputs + "/paper-sft", dpoOut = workspace.outputs + "/paper-dpo"
    _ = try DatasetExporter.run(.paper, ExportRequest(input: sft, output: sftOut))
    let llava = try RowFiles.read(ConversationRow.self, path: sftOut + "/sft.jsonl", imageRoot: sftOut)
    #expect(llava.rows.map(\.id) == ["chartqa-1", "2", "caption-1"] && llava.problems.isEmpty)
    #expect(try rows(sftOut + "/sft.jsonl").allSatisfy { ($0 as? [String: Any])?["style"] == nil })
    _ = try DatasetExporter.run(.paper, ExportRequest(input: pairs, output: dpoOut))
    let dpoRows = try rows(dpoOut + "/dpo.jsonl")
    for row in dpoRows { #expect(shape(row) == shape(try json(paperDPOExample))) }
    #expect(try RowFiles.read(PreferenceRow.self, path: dpoOut + "/dpo.jsonl", imageRoot: dpoOut).rows.count == 2)
}

@Test func anExportSaysWhatItCannotDo() throws {
    let workspace = try ImportWorkspace()
    let items = workspace.outputs + "/items"
    _ = try DatasetImporter.run(.items, ImportRequest(input: workspace.path("items.jsonl"), output: items))
    #expect(throws: DatasetIOError.self) {
        try DatasetExporter.run(.trl, ExportRequest(input: items, output: workspace.outputs + "/x"))
    }
    #expect(throws: DatasetIOError.notADataset(workspace.root, reason: "no manifest.json")) {
        try DatasetExporter.run(.trl, ExportRequest(input: workspace.root, output: workspace.outputs + "/y"))
    }
    // An image removed after the import is reported with the row's line, and the rest is exported.
    let (sft, _) = try imported(workspace)
    try FileManager.default.removeItem(atPath: sft + "/images/charts/b.jpg")
    let manifest = try DatasetExporter.run(.paper, ExportRequest(input: sft, output: workspace.outputs + "/z"))
    #expect(manifest.exported == 2 && manifest.problems.map(\.line) == [2])
    #expect(manifest.problems.first?.reason.contains("missing image images/charts/b.jpg") == true)
}
