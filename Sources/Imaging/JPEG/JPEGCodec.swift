import CJPEG
#if canImport(Glibc)
import Glibc
#endif

/// JPEG decoding and encoding through libjpeg(-turbo) (all of Reasoner's libjpeg calls live in this folder; the
/// setjmp-based error handling libjpeg needs stays in C, in the CJPEG shim).
public enum JPEGCodec {
    /// Decodes a baseline or progressive JPEG (greyscale or colour) to 8-bit RGB.
    /// - Parameter source: names the bytes in errors (a path or an item id).
    public static func decode(_ bytes: [UInt8], source: String = "JPEG data") throws -> RGBImage {
        var pixels: UnsafeMutablePointer<UInt8>?
        var width: Int32 = 0, height: Int32 = 0
        var message = [CChar](repeating: 0, count: 256)
        let status = bytes.withUnsafeBufferPointer { buffer in
            reasoner_jpeg_decode_rgb(buffer.baseAddress, UInt(buffer.count), &pixels, &width, &height,
                                     &message, message.count)
        }
        guard status == 0, let pixels else {
            throw ImageError.corrupt(source: source, format: "JPEG", reason: text(message))
        }
        defer { free(pixels) }
        let count = Int(width) * Int(height) * 3
        return RGBImage(width: Int(width), height: Int(height),
                        pixels: Array(UnsafeBufferPointer(start: pixels, count: count)))
    }

    /// Encodes an image as a baseline JPEG with the given quality (1–100).
    public static func encode(_ image: RGBImage, quality: Int = 90) throws -> [UInt8] {
        precondition((1...100).contains(quality), "JPEG quality is 1...100, got \(quality)")
        var output: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        var message = [CChar](repeating: 0, count: 256)
        let status = image.pixels.withUnsafeBufferPointer { buffer in
            reasoner_jpeg_encode_rgb(buffer.baseAddress, Int32(image.width), Int32(image.height), Int32(quality),
                                     &output, &size, &message, message.count)
        }
        defer { free(output) }
        guard status == 0, let output else {
            throw ImageError.encodingFailed(format: "JPEG", reason: text(message))
        }
        return Array(UnsafeBufferPointer(start: output, count: Int(size)))
    }

    private static func text(_ message: [CChar]) -> String {
        let bytes = message.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }
        return bytes.isEmpty ? "unknown libjpeg error" : String(decoding: bytes, as: UTF8.self)
    }
}
