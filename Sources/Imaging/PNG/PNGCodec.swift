import CPNG

/// PNG decoding and encoding through libpng's simplified API (all of Reasoner's libpng calls live in this folder).
public enum PNGCodec {
    /// The eight bytes every PNG file starts with.
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Decodes PNG bytes of any colour type and bit depth to 8-bit RGB (alpha is composited on black, grey expanded).
    /// - Parameter source: names the bytes in errors (a path or an item id).
    public static func decode(_ bytes: [UInt8], source: String = "PNG data") throws -> RGBImage {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        defer { png_image_free(&image) }
        let began = bytes.withUnsafeBytes { raw in
            png_image_begin_read_from_memory(&image, raw.baseAddress, raw.count)
        }
        guard began != 0 else { throw corrupt(image, source: source) }
        image.format = UInt32(PNG_FORMAT_RGB)
        let width = Int(image.width), height = Int(image.height)
        guard width > 0, height > 0, width * height <= 1 << 28 else {
            throw ImageError.corrupt(source: source, format: "PNG", reason: "implausible size \(width)x\(height)")
        }
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        let finished = pixels.withUnsafeMutableBytes { raw in
            png_image_finish_read(&image, nil, raw.baseAddress, Int32(width * 3), nil)
        }
        guard finished != 0 else { throw corrupt(image, source: source) }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// Encodes an image as an 8-bit RGB PNG. The output is deterministic for given pixels.
    public static func encode(_ rgb: RGBImage) throws -> [UInt8] {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(rgb.width)
        image.height = UInt32(rgb.height)
        image.format = UInt32(PNG_FORMAT_RGB)
        defer { png_image_free(&image) }
        var size = 0
        // First call measures, second call writes.
        let measured = rgb.pixels.withUnsafeBytes { raw in
            png_image_write_to_memory(&image, nil, &size, 0, raw.baseAddress, Int32(rgb.width * 3), nil)
        }
        guard measured != 0, size > 0 else { throw encodingFailed(image) }
        var output = [UInt8](repeating: 0, count: size)
        let written = output.withUnsafeMutableBytes { out in
            rgb.pixels.withUnsafeBytes { raw in
                png_image_write_to_memory(&image, out.baseAddress, &size, 0, raw.baseAddress, Int32(rgb.width * 3), nil)
            }
        }
        guard written != 0 else { throw encodingFailed(image) }
        return Array(output.prefix(size))
    }

    private static func message(_ image: png_image) -> String {
        withUnsafeBytes(of: image.message) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
    }

    private static func corrupt(_ image: png_image, source: String) -> ImageError {
        ImageError.corrupt(source: source, format: "PNG", reason: message(image))
    }

    private static func encodingFailed(_ image: png_image) -> ImageError {
        ImageError.encodingFailed(format: "PNG", reason: message(image))
    }
}
