import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A process the test starts (posix_spawn), with its output in a file the test can read while it runs.
final class ChildProcess {
    let pid: pid_t
    let logPath: String
    private var exitStatus: Int32?

    /// Starts `executable` with `arguments` and the current environment plus `environment`.
    init(executable: String, arguments: [String] = [], environment: [String: String]) throws {
        logPath = FileManager.default.temporaryDirectory.appendingPathComponent("child-\(UUID().uuidString).log").path
        var merged = ProcessInfo.processInfo.environment
        merged.merge(environment) { _, new in new }
        let command = ([executable] + arguments).map { "'\($0)'" }.joined(separator: " ")
        let words: [String] = ["/bin/bash", "-c", "exec \(command) </dev/null >'\(logPath)' 2>&1"]
        let argv = words.map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        let status = posix_spawn(&child, "/bin/bash", nil, nil, argv, envp)
        guard status == 0 else { throw POSIXError(POSIXErrorCode(rawValue: status) ?? .EIO) }
        pid = child
    }

    /// What the process has written so far.
    var output: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Waits (polling) until the output contains `text`, or `limit` passes (a guard against hanging, not a check on
    /// speed). Returns whether it appeared.
    func waitForOutput(_ text: String, limit: Duration = .seconds(120)) async throws -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if output.contains(text) { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    /// Sends a signal.
    func signal(_ signal: Int32) { kill(pid, signal) }

    /// Waits for the process to end; returns its exit code (or 128 + signal).
    @discardableResult
    func wait() -> Int32 {
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        exitStatus = code
        return code
    }

    deinit {
        if exitStatus == nil {
            kill(pid, SIGKILL)
            wait()
        }
        try? FileManager.default.removeItem(atPath: logPath)
    }
}
