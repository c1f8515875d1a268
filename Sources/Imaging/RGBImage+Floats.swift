extension RGBImage {
    /// The image as floats in channel-major order (C, H, W) — the layout a patch embedding reads — scaled to [0, 1]
    /// and then normalised per channel as `(value - mean[c]) / std[c]`.
    public func channelMajorFloats(mean: (Float, Float, Float) = (0, 0, 0),
                                   std: (Float, Float, Float) = (1, 1, 1)) -> [Float] {
        let plane = width * height
        let means = [mean.0, mean.1, mean.2], scales = [1 / std.0, 1 / std.1, 1 / std.2]
        var output = [Float](repeating: 0, count: plane * 3)
        output.withUnsafeMutableBufferPointer { out in
            pixels.withUnsafeBufferPointer { source in
                for index in 0..<plane {
                    for channel in 0..<3 {
                        let value = Float(source[index * 3 + channel]) * (1 / 255)
                        out[channel * plane + index] = (value - means[channel]) * scales[channel]
                    }
                }
            }
        }
        return output
    }
}
