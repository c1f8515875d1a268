import Foundation

/// A fresh folder under the system temporary directory, removed when the test is done with it.
struct TempFolder: ~Copyable {
    /// Its path.
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "reasoner-data-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// Writes text to a file in the folder and returns its path.
    func write(_ name: String, _ text: String) throws -> String {
        let file = path + "/" + name
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        return file
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}
