import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The POSIX calls behind the artifact store: durable writes (fsync of file and directory) and renames, which
/// Foundation does not expose with the guarantees the store needs.
enum FileSystem {
    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    static func realPath(_ path: String) throws -> String {
        guard let resolved = realpath(path, nil) else { throw failure("resolve", path) }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    static func makeDirectories(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw ArtifactError.io(operation: "create directory", path: path, errno: EIO,
                                   message: error.localizedDescription)
        }
    }

    static func readFile(_ path: String) throws -> Data {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ArtifactError.io(operation: "read", path: path, errno: EIO, message: "cannot read the file")
        }
        return data
    }

    /// Writes to a temporary file beside `path`, fsyncs it, renames it over `path` and fsyncs the directory.
    static func writeDurably(_ data: Data, to path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        let temporary = directory + "/.tmp-\(UUID().uuidString)-" + (path as NSString).lastPathComponent
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw failure("create", temporary) }
        do {
            try data.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let written = Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        throw failure("write", temporary)
                    }
                    offset += written
                }
            }
            guard fsync(descriptor) == 0 else { throw failure("fsync", temporary) }
            close(descriptor)
        } catch {
            close(descriptor)
            unlink(temporary)
            throw error
        }
        do {
            try rename(temporary, to: path)
        } catch {
            unlink(temporary)
            throw error
        }
        try syncDirectory(directory)
    }

    static func rename(_ source: String, to destination: String) throws {
        guard Glibc.rename(source, destination) == 0 else { throw failure("rename \(source) to", destination) }
    }

    static func syncDirectory(_ path: String) throws {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure("open directory", path) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw failure("fsync directory", path) }
    }

    /// Fsyncs every file and directory below `path` (a directory artifact about to be renamed into place).
    static func syncTree(_ path: String) throws {
        let enumerator = FileManager.default.enumerator(atPath: path)
        while let relative = enumerator?.nextObject() as? String {
            let full = path + "/" + relative
            var info = stat()
            guard lstat(full, &info) == 0 else { throw failure("stat", full) }
            if (info.st_mode & S_IFMT) == S_IFDIR {
                try syncDirectory(full)
            } else if (info.st_mode & S_IFMT) == S_IFREG {
                let descriptor = open(full, O_RDONLY | O_CLOEXEC)
                guard descriptor >= 0 else { throw failure("open", full) }
                defer { close(descriptor) }
                guard fsync(descriptor) == 0 else { throw failure("fsync", full) }
            }
        }
        try syncDirectory(path)
    }

    private static func failure(_ operation: String, _ path: String) -> ArtifactError {
        let code = errno
        return ArtifactError.io(operation: operation, path: path, errno: code, message: String(cString: strerror(code)))
    }
}
