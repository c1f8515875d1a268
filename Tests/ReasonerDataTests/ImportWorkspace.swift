import Foundation
import Imaging
import Testing

/// The committed row fixtures copied into a fresh folder, with the images they name made beside them: good PNG and
/// JPEG files, a file that is no image (`charts/broken.png`), and `charts/link.png`, a symlink to a valid image
/// outside the folder (which an import must refuse). Removed when it goes out of scope.
struct ImportWorkspace: ~Copyable {
    /// The folder holding the rows files and the images.
    let root: String
    /// A folder next to it, outside the images folder, where the symlink leads.
    let outside: String
    /// Where outputs go.
    let outputs: String

    init() throws {
        let base = NSTemporaryDirectory() + "reasoner-import-" + UUID().uuidString
        root = base + "/source"
        outside = base + "/outside"
        outputs = base + "/out"
        let fixtures = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        let files = FileManager.default
        try files.createDirectory(atPath: base, withIntermediateDirectories: true)
        try files.copyItem(atPath: fixtures.path, toPath: root)
        for folder in [root + "/charts", root + "/photos", root + "/docs", outside, outputs] {
            try files.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        try ImageFile.writePNG(Self.picture(seed: 1), path: root + "/charts/a.png")
        try Data(try JPEGCodec.encode(Self.picture(seed: 2))).write(to: URL(fileURLWithPath: root + "/charts/b.jpg"))
        try ImageFile.writePNG(Self.picture(seed: 3), path: root + "/photos/c.png")
        try ImageFile.writePNG(Self.picture(seed: 4), path: root + "/docs/page.png")
        try Data("not an image at all".utf8).write(to: URL(fileURLWithPath: root + "/charts/broken.png"))
        try ImageFile.writePNG(Self.picture(seed: 5), path: outside + "/secret.png")
        try files.createSymbolicLink(atPath: root + "/charts/link.png", withDestinationPath: outside + "/secret.png")
    }

    /// A file of the workspace.
    func path(_ name: String) -> String { root + "/" + name }

    /// A small image whose pixels depend on `seed`.
    static func picture(seed: Int) -> RGBImage {
        var image = RGBImage(width: 12, height: 10, fill: (UInt8(seed * 40 % 256), 90, 200))
        for x in 0..<12 { image.pixels[(5 * 12 + x) * 3] = UInt8((x * 20 + seed) % 256) }
        return image
    }

    deinit {
        try? FileManager.default.removeItem(atPath: (root as NSString).deletingLastPathComponent)
    }
}
