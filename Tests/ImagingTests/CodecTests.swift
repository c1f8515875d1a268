import Foundation
import Testing
@testable import Imaging

/// A deterministic test picture with gradients and hard edges, so codec bugs (channel swaps, strides) show.
private func testPattern(width: Int = 37, height: Int = 23) -> RGBImage {
    var image = RGBImage(width: width, height: height, fill: (0, 0, 0))
    for y in 0..<height {
        for x in 0..<width {
            image[x: x, y: y] = (UInt8(x * 255 / (width - 1)), UInt8(y * 255 / (height - 1)), x < width / 2 ? 200 : 20)
        }
    }
    return image
}

@Test func pngRoundTripIsLossless() throws {
    let image = testPattern()
    let bytes = try PNGCodec.encode(image)
    #expect(bytes.starts(with: PNGCodec.signature))
    #expect(try PNGCodec.decode(bytes) == image)
    #expect(try PNGCodec.encode(image) == bytes, "encoding must be deterministic")
}

@Test func jpegRoundTripIsClose() throws {
    let image = testPattern(width: 64, height: 48)
    let decoded = try ImageFile.decode(try JPEGCodec.encode(image, quality: 95), source: "memory")
    #expect(decoded.width == 64 && decoded.height == 48)
    var totalError = 0
    for (a, b) in zip(image.pixels, decoded.pixels) { totalError += abs(Int(a) - Int(b)) }
    let meanError = Double(totalError) / Double(image.pixels.count)
    #expect(meanError < 4, "mean absolute error \(meanError) is too large for quality 95")
}

@Test func truncatedPNGIsACorruptError() throws {
    let bytes = try PNGCodec.encode(testPattern())
    let truncated = Array(bytes.prefix(bytes.count / 2))
    #expect {
        _ = try ImageFile.decode(truncated, source: "items/42.png")
    } throws: { error in
        guard case ImageError.corrupt(let source, let format, _) = error else { return false }
        return source == "items/42.png" && format == "PNG"
    }
}

@Test func damagedJPEGIsACorruptError() throws {
    var bytes = try JPEGCodec.encode(testPattern())
    bytes.removeSubrange(20..<min(bytes.count, 400))
    #expect {
        _ = try ImageFile.decode(bytes, source: "photo.jpg")
    } throws: { error in
        guard case ImageError.corrupt(_, let format, let reason) = error else { return false }
        return format == "JPEG" && !reason.isEmpty
    }
}

@Test func unknownBytesAreNamedAsSuch() {
    #expect(throws: ImageError.unknownFormat(source: "notes.txt")) {
        _ = try ImageFile.decode(Array("hello, world".utf8), source: "notes.txt")
    }
}

@Test func filesRoundTripAndMissingFilesSayWhere() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("imaging-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("pattern.png").path
    try ImageFile.writePNG(testPattern(), path: path)
    #expect(try ImageFile.read(path: path) == testPattern())
    #expect {
        _ = try ImageFile.read(path: directory.appendingPathComponent("missing.png").path)
    } throws: { error in
        guard case ImageError.io(let where_, _) = error else { return false }
        return where_.hasSuffix("missing.png")
    }
}

@Test func channelMajorFloatsNormalise() {
    var image = RGBImage(width: 2, height: 1, fill: (0, 0, 0))
    image[x: 1, y: 0] = (255, 51, 0)
    let floats = image.channelMajorFloats(mean: (0.5, 0.5, 0.5), std: (0.5, 0.5, 0.5))
    // Layout (C, H, W): [R0, R1, G0, G1, B0, B1].
    let expected: [Float] = [-1, 1, -1, -0.6, -1, -1]
    #expect(zip(floats, expected).allSatisfy { abs($0 - $1) < 1e-6 }, "got \(floats)")
}
