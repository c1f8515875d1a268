import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Starting and stopping the processes of a local fleet: each in its own session (so a terminal's Ctrl-C does not
/// reach it), stdin from /dev/null, stdout and stderr appended to its log file.
enum DetachedProcess {
    /// glibc's `POSIX_SPAWN_SETSID` (spawn.h hides it behind `_GNU_SOURCE`, so Swift does not see it).
    private static let posixSpawnSetSID: Int16 = 0x80

    /// Starts `executable` with `arguments` and exactly `environment`; returns its pid.
    static func start(_ executable: String, arguments: [String] = [], environment: [String: String],
                      log: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, posixSpawnSetSID)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard status == 0 else {
            throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey:
                "cannot start \(executable): \(String(cString: strerror(status)))"])
        }
        return pid
    }

    /// Whether `pid` still runs (and is not a zombie of ours, which is reaped here).
    static func isRunning(_ pid: pid_t) -> Bool {
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid { return false }
        return kill(pid, 0) == 0
    }

    /// Sends SIGTERM, waits up to `grace` for the process to finish its message in hand, then SIGKILL. Returns
    /// whether it stopped on its own.
    @discardableResult
    static func stop(_ pid: pid_t, grace: Duration) async -> Bool {
        guard isRunning(pid) else { return true }
        kill(pid, SIGTERM)
        let deadline = ContinuousClock.now + grace
        while ContinuousClock.now < deadline {
            if !isRunning(pid) { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        kill(pid, SIGKILL)
        return false
    }
}

extension DetachedProcess {
    /// Runs a command to its end (output through a temporary file); returns its exit code and output.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]) throws
        -> (status: Int32, output: String) {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("reasoner-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        let pid = try start(executable, arguments: arguments, environment: environment, log: log)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return (code, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }
}

extension DetachedProcess {
    /// The supervisor every fleet member runs under, like compose's `restart: unless-stopped`: the worker is
    /// restarted when it exits with a failure (a crash, a lost server it gave up on), after a backoff doubling from
    /// 1 s to 60 s (reset after a minute of running); a clean exit (0, after SIGTERM) ends the supervisor. SIGTERM
    /// to the supervisor is passed to the worker, which finishes its message in hand.
    static let supervisor = """
        child=0
        trap 'stopping=1; [ "$child" -ne 0 ] && kill -TERM "$child"' TERM INT
        stopping=0; backoff=1
        while :; do
          started=$(date +%s)
          "$@" & child=$!
          wait "$child"; status=$?
          while kill -0 "$child" 2>/dev/null; do wait "$child"; status=$?; done
          [ "$stopping" -eq 1 ] || [ "$status" -eq 0 ] && exit "$status"
          [ $(( $(date +%s) - started )) -ge 60 ] && backoff=1
          echo "supervisor: $1 exited with status $status; restarting in ${backoff}s"
          sleep "$backoff" & wait $!
          [ "$stopping" -eq 1 ] && exit 0
          backoff=$(( backoff * 2 > 60 ? 60 : backoff * 2 ))
        done
        """

    /// Starts `executable` under ``supervisor``; returns the supervisor's pid (what `fleet down` signals).
    static func startSupervised(_ executable: String, arguments: [String] = [], environment: [String: String],
                                log: String) throws -> pid_t {
        try start("/bin/sh", arguments: ["-c", supervisor, "supervisor", executable] + arguments,
                  environment: environment, log: log)
    }
}
