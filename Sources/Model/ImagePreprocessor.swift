import Imaging

/// Turns an `RGBImage` into the vision encoder's input: resized (bilinear, aspect kept) to fit the configured square,
/// centred on mid-grey padding, scaled to [-1, 1] per channel, then laid out row-major `[H, W, C]` as
/// `VisionEncoder.patchify` expects.
public struct ImagePreprocessor: Sendable {
    /// Side of the square output in pixels.
    public let size: Int
    /// Per-channel mean and std applied after scaling to [0, 1] (0.5, 0.5: grey padding becomes ~0).
    public static let mean: (Float, Float, Float) = (0.5, 0.5, 0.5)
    /// See `mean`.
    public static let std: (Float, Float, Float) = (0.5, 0.5, 0.5)

    /// A preprocessor for `size` x `size` inputs.
    public init(size: Int) {
        precondition(size > 0, "image size must be positive")
        self.size = size
    }

    /// The image fitted into the square: scaled so its longer side is `size`, centred, padded with grey (128).
    public func fit(_ image: RGBImage) -> RGBImage {
        if image.width == size && image.height == size { return image }
        let scale = Double(size) / Double(max(image.width, image.height, 1))
        let w = max(1, min(size, Int((Double(image.width) * scale).rounded())))
        let h = max(1, min(size, Int((Double(image.height) * scale).rounded())))
        let x0 = (size - w) / 2, y0 = (size - h) / 2
        var out = RGBImage(width: size, height: size, fill: (128, 128, 128))
        guard image.width > 0 && image.height > 0 else { return out }
        for y in 0..<h {
            // Sample at pixel centres, clamped, so downscaling and upscaling both stay in the source.
            let sy = min(max((Double(y) + 0.5) * Double(image.height) / Double(h) - 0.5, 0), Double(image.height - 1))
            let y1 = Int(sy), y2 = min(y1 + 1, image.height - 1), fy = sy - Double(y1)
            for x in 0..<w {
                let sx = min(max((Double(x) + 0.5) * Double(image.width) / Double(w) - 0.5, 0),
                             Double(image.width - 1))
                let x1 = Int(sx), x2 = min(x1 + 1, image.width - 1), fx = sx - Double(x1)
                let o = ((y0 + y) * size + x0 + x) * 3
                for c in 0..<3 {
                    func p(_ px: Int, _ py: Int) -> Double { Double(image.pixels[(py * image.width + px) * 3 + c]) }
                    let top = p(x1, y1) * (1 - fx) + p(x2, y1) * fx, bottom = p(x1, y2) * (1 - fx) + p(x2, y2) * fx
                    out.pixels[o + c] = UInt8(min(255, max(0, (top * (1 - fy) + bottom * fy).rounded())))
                }
            }
        }
        return out
    }

    /// Normalised floats `[size, size, 3]` (row-major, channel last) of the fitted image.
    public func pixels(_ image: RGBImage) -> [Float] {
        let planar = fit(image).channelMajorFloats(mean: Self.mean, std: Self.std)
        let plane = size * size
        var out = [Float](repeating: 0, count: plane * 3)
        for i in 0..<plane {
            for c in 0..<3 { out[i * 3 + c] = planar[c * plane + i] }
        }
        return out
    }
}
