#if canImport(Glibc)
import Glibc
/// The C library's write(2), named apart from Swift's `write` methods.
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
import Darwin
/// The C library's write(2), named apart from Swift's `write` methods.
private let systemWrite = Darwin.write
#endif

/// Writing many small files quickly: one open, one write, one close, no fsync and no temporary name.
///
/// A suite has tens of thousands of images; an atomic, fsynced write per image made generation I/O-bound (most of
/// its time went to fsync and rename). The suite's manifest is written last and atomically, so a folder without a
/// manifest is known to be incomplete.
enum PlainFile {
    /// Writes `bytes` to `path`, replacing any file there.
    static func write(_ bytes: [UInt8], path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else {
            throw DataError.io(path: path, reason: "cannot create the file (errno \(errno)); check the folder exists "
                + "and is writable")
        }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { raw in systemWrite(fd, raw.baseAddress, raw.count) }
            guard written > 0 else {
                throw DataError.io(path: path, reason: "cannot write the file (errno \(errno)); check free space")
            }
            offset += written
        }
    }
}
