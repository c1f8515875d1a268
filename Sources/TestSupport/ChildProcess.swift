import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A process a test starts (posix_spawn, not Foundation's `Process`, whose `waitUntilExit` can miss the exit of a
/// child when called from a Swift concurrency task), with its output in a file the test can read while it runs.
/// Output goes to a file rather than a pipe: daemons a script starts may outlive it and would hold a pipe open.
public final class ChildProcess {
    /// The process id.
    public let pid: pid_t
    /// Where its standard output and error go.
    public let logPath: String
    private var exitStatus: Int32?

    /// Starts `executable` with `arguments` and the current environment plus `environment`.
    public init(executable: String, arguments: [String] = [], environment: [String: String]) throws {
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
    public var output: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Waits (polling) until the output contains `text`, or `limit` passes (a guard against hanging, not a check on
    /// speed). Returns whether it appeared.
    public func waitForOutput(_ text: String, limit: Duration = .seconds(120)) async throws -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if output.contains(text) { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    /// Sends a signal.
    public func signal(_ signal: Int32) { kill(pid, signal) }

    /// Waits for the process to end; returns its exit code (or 128 + signal).
    @discardableResult
    public func wait() -> Int32 {
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        exitStatus = code
        return code
    }

    /// Runs a command to its end; returns its exit code and output.
    public static func run(_ executable: String, _ arguments: [String] = [],
                           environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let child = try ChildProcess(executable: executable, arguments: arguments, environment: environment)
        let status = child.wait()
        return (status, child.output)
    }

    deinit {
        if exitStatus == nil {
            kill(pid, SIGKILL)
            wait()
        }
        try? FileManager.default.removeItem(atPath: logPath)
    }
}
