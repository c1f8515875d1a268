import Imaging

/// Test images on disk.
enum ImageFileFixture {
    /// Writes an 8×8 PNG of one colour.
    static func write(_ rgb: (UInt8, UInt8, UInt8), to path: String) throws {
        try ImageFile.writePNG(RGBImage(width: 8, height: 8, fill: rgb), path: path)
    }
}
