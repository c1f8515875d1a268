import Foundation
import Testing
@testable import Artifacts

/// A fresh artifacts root under the temporary directory, removed by the caller.
private func temporaryRoot() throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("artifacts-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

@Test(arguments: ["", "/etc/passwd", "../outside", "a/../../b", "a//b", "a/./b", "a/", "nul\u{0}byte"])
func refsThatCouldLeaveTheRootAreRefused(path: String) {
    #expect(throws: ArtifactError.self) { _ = try ArtifactRef(path) }
}

@Test func refsDecodeThroughTheSameCheck() throws {
    let json = Data(#"["datasets/train.jsonl", "../../etc/shadow"]"#.utf8)
    #expect(throws: ArtifactError.self) { _ = try JSONDecoder().decode([ArtifactRef].self, from: json) }
    let good = try JSONDecoder().decode(ArtifactRef.self, from: Data(#""runs/r1/pairs.jsonl""#.utf8))
    #expect(good.path == "runs/r1/pairs.jsonl" && good.name == "pairs.jsonl")
}

@Test func writeThenReadRoundTripsAndLeavesNoTemporaryFiles() throws {
    let root = try temporaryRoot()
    defer { try? FileManager.default.removeItem(atPath: root) }
    let store = try ArtifactStore(root: root)
    let ref = try ArtifactRef("runs/r1/samples/shard-0.jsonl")
    try store.write(Data("first\n".utf8), to: ref)
    try store.write(Data("second\n".utf8), to: ref)
    #expect(try store.read(ref) == Data("second\n".utf8))
    #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/runs/r1/samples") == ["shard-0.jsonl"])
}

@Test func symlinksLeadingOutOfTheRootAreRefused() throws {
    let root = try temporaryRoot(), outside = try temporaryRoot()
    defer { try? FileManager.default.removeItem(atPath: root); try? FileManager.default.removeItem(atPath: outside) }
    try FileManager.default.createSymbolicLink(atPath: root + "/escape", withDestinationPath: outside)
    try Data("secret".utf8).write(to: URL(fileURLWithPath: outside + "/secret.txt"))
    let store = try ArtifactStore(root: root)
    #expect(throws: ArtifactError.self) { _ = try store.read(try ArtifactRef("escape/secret.txt")) }
    #expect(throws: ArtifactError.self) { try store.write(Data("x".utf8), to: try ArtifactRef("escape/new/file")) }
    #expect(!FileManager.default.fileExists(atPath: outside + "/new"))
    // A symlink that stays inside the root is fine.
    try FileManager.default.createDirectory(atPath: root + "/real", withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(atPath: root + "/alias", withDestinationPath: root + "/real")
    try store.write(Data("ok".utf8), to: try ArtifactRef("alias/file"))
    #expect(try store.read(try ArtifactRef("real/file")) == Data("ok".utf8))
}

@Test func missingArtifactsSaySo() throws {
    let root = try temporaryRoot()
    defer { try? FileManager.default.removeItem(atPath: root) }
    let store = try ArtifactStore(root: root)
    #expect(throws: ArtifactError.notFound(ref: "nothing/here")) { _ = try store.read(try ArtifactRef("nothing/here")) }
}

@Test func contentAddressedWritesAreIdempotentAndVerified() throws {
    let root = try temporaryRoot()
    defer { try? FileManager.default.removeItem(atPath: root) }
    let store = try ArtifactStore(root: root)
    let data = Data("abc".utf8)
    let ref = try store.writeContentAddressed(data, directory: "cache", fileExtension: "json")
    #expect(ref.path == "cache/ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad.json")
    #expect(try store.writeContentAddressed(data, directory: "cache", fileExtension: "json") == ref)
    #expect(try store.readContentAddressed(ref) == data)
    try Data("tampered".utf8).write(to: URL(fileURLWithPath: try store.path(of: ref)))
    #expect(throws: ArtifactError.self) { _ = try store.readContentAddressed(ref) }
}

@Test func directoriesAppearWholeOrNotAtAll() throws {
    let root = try temporaryRoot()
    defer { try? FileManager.default.removeItem(atPath: root) }
    let store = try ArtifactStore(root: root)
    let checkpoint = try ArtifactRef("runs/r1/checkpoints/step-10")
    struct Interrupted: Error {}
    #expect(throws: Interrupted.self) {
        try store.writeDirectory(checkpoint) { directory in
            try Data("{}".utf8).write(to: URL(fileURLWithPath: directory + "/config.json"))
            throw Interrupted()
        }
    }
    #expect(try !store.exists(checkpoint))
    #expect(try store.list(try ArtifactRef("runs/r1/checkpoints")).isEmpty)
    try store.writeDirectory(checkpoint) { directory in
        try Data("{}".utf8).write(to: URL(fileURLWithPath: directory + "/config.json"))
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: directory + "/model.safetensors"))
    }
    #expect(try store.list(checkpoint).map(\.name) == ["config.json", "model.safetensors"])
}
