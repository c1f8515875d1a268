/// Why an image could not be read or written.
public enum ImageError: Error, Equatable, CustomStringConvertible {
    /// The bytes are not a PNG or JPEG file (by their first bytes).
    case unknownFormat(source: String)
    /// The file is a PNG or JPEG but its content is damaged or unsupported; `reason` is the codec's own message.
    case corrupt(source: String, format: String, reason: String)
    /// The image could not be encoded.
    case encodingFailed(format: String, reason: String)
    /// The file could not be read or written.
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case .unknownFormat(let source):
            return "\(source): not a PNG or JPEG image; convert it to PNG or JPEG, or drop the row that names it"
        case .corrupt(let source, let format, let reason):
            return "\(source): corrupt or unsupported \(format) (\(reason)); re-export the image or drop the row"
        case .encodingFailed(let format, let reason):
            return "could not encode \(format): \(reason)"
        case .io(let path, let reason):
            return "\(path): \(reason)"
        }
    }
}
