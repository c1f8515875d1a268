import Foundation

/// Reading and writing image files, choosing the codec from the file's first bytes (not its name).
public enum ImageFile {
    /// Decodes PNG or JPEG bytes, recognised by their signature.
    public static func decode(_ bytes: [UInt8], source: String) throws -> RGBImage {
        if bytes.starts(with: PNGCodec.signature) { return try PNGCodec.decode(bytes, source: source) }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return try JPEGCodec.decode(bytes, source: source) }
        throw ImageError.unknownFormat(source: source)
    }

    /// Reads and decodes a PNG or JPEG file.
    public static func read(path: String) throws -> RGBImage {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ImageError.io(path: path, reason: "cannot read the file (\(error.localizedDescription))")
        }
        return try decode([UInt8](data), source: path)
    }

    /// Encodes an image as PNG and writes it atomically (temporary file, then rename).
    public static func writePNG(_ image: RGBImage, path: String) throws {
        let bytes = try PNGCodec.encode(image)
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw ImageError.io(path: path, reason: "cannot write the file (\(error.localizedDescription))")
        }
    }
}
