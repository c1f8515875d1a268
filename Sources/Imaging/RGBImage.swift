/// An 8-bit RGB image: `pixels` holds `width * height * 3` bytes, interleaved R, G, B, row-major from the top-left.
///
/// This is the one pixel type of Reasoner: the synthetic suite renders into it, the codecs read and write it, and the
/// model's preprocessing turns it into floats.
public struct RGBImage: Sendable, Equatable {
    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// Interleaved RGB bytes, `width * height * 3` of them, row-major.
    public var pixels: [UInt8]

    /// Wraps existing pixels. The count must be `width * height * 3`.
    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width > 0 && height > 0, "an image needs a positive size, got \(width)x\(height)")
        precondition(pixels.count == width * height * 3,
                     "\(width)x\(height) RGB needs \(width * height * 3) bytes, got \(pixels.count)")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// An image filled with one colour.
    public init(width: Int, height: Int, fill: (UInt8, UInt8, UInt8)) {
        precondition(width > 0 && height > 0, "an image needs a positive size, got \(width)x\(height)")
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for offset in stride(from: 0, to: pixels.count, by: 3) {
            pixels[offset] = fill.0
            pixels[offset + 1] = fill.1
            pixels[offset + 2] = fill.2
        }
        self.init(width: width, height: height, pixels: pixels)
    }

    /// The colour at column `x`, row `y` (0-based from the top-left).
    public subscript(x x: Int, y y: Int) -> (UInt8, UInt8, UInt8) {
        get {
            let offset = (y * width + x) * 3
            return (pixels[offset], pixels[offset + 1], pixels[offset + 2])
        }
        set {
            let offset = (y * width + x) * 3
            pixels[offset] = newValue.0
            pixels[offset + 1] = newValue.1
            pixels[offset + 2] = newValue.2
        }
    }
}
