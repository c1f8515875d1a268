import ArgumentParser
import Foundation

/// The repository's `compose/services` script, which starts RabbitMQ and Redis as plain processes on loopback.
enum LocalServers {
    /// Finds the script: `REASONER_COMPOSE_DIR`, else the `compose/` folder above this executable (a build under
    /// the repository) or under the current directory.
    static func script() throws -> String {
        var candidates: [String] = []
        if let dir = ProcessInfo.processInfo.environment["REASONER_COMPOSE_DIR"] { candidates.append(dir + "/services") }
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        while url.path != "/" {
            candidates.append(url.path + "/compose/services")
            url.deleteLastPathComponent()
        }
        candidates.append(FileManager.default.currentDirectoryPath + "/compose/services")
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw ValidationError("cannot find compose/services: run from the repository, set REASONER_COMPOSE_DIR, "
                                  + "or pass --no-servers with REASONER_AMQP_URL and REASONER_REDIS_URL set")
        }
        return found
    }

    /// Starts both servers (idempotent) and returns the environment that points at them.
    static func start(_ script: String, environment: [String: String]) throws -> [String: String] {
        let (status, output) = try DetachedProcess.run(script, ["start"], environment: environment)
        print(output, terminator: "")
        guard status == 0 else { throw ExitCode(status) }
        let (_, exports) = try DetachedProcess.run(script, ["env"], environment: environment)
        var variables: [String: String] = [:]
        for line in exports.split(separator: "\n") where line.hasPrefix("export ") {
            let assignment = line.dropFirst("export ".count)
            guard let equals = assignment.firstIndex(of: "=") else { continue }
            variables[String(assignment[..<equals])] = String(assignment[assignment.index(after: equals)...])
        }
        return variables
    }
}
