import ArgumentParser
import Foundation
import Pipeline

/// `reasoner fleet up|down`: a local fleet without Docker — the local RabbitMQ and Redis (`compose/services`) and
/// one process per role (the same executables and environment the compose file runs), logs under the fleet folder.
struct FleetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet", abstract: "Start or stop a local fleet: servers and one process per role.",
        subcommands: [FleetUp.self, FleetDown.self])
}

/// The fleet folder's record of what `up` started, read by `down`.
struct LocalFleetRecord: Codable {
    struct Member: Codable {
        var role: String
        var index: Int
        var pid: Int32
        var log: String
    }

    var members: [Member]
    var startedServers: Bool
    var servicesScript: String?

    static func path(_ folder: String) -> String { folder + "/fleet.json" }

    static func read(_ folder: String) -> LocalFleetRecord? {
        guard let data = FileManager.default.contents(atPath: path(folder)) else { return nil }
        return try? JSONDecoder().decode(LocalFleetRecord.self, from: data)
    }

    func write(_ folder: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: Self.path(folder)), options: .atomic)
    }
}

/// Options both subcommands share.
struct FleetFolderOptions: ParsableArguments {
    @Option(help: "The fleet's folder: its record, logs/ and (unless REASONER_ARTIFACTS is set) artifacts/.")
    var dir = "reasoner-fleet"

    var absolute: String { URL(fileURLWithPath: dir).standardizedFileURL.path }
}

struct FleetUp: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up", abstract: "Start RabbitMQ and Redis (compose/services) and one process per role.")

    @OptionGroup var folder: FleetFolderOptions

    @Option(help: ArgumentHelp("Processes per scalable role (distiller, sampler, judge, evaluator), one BLAS thread "
                               + "each; one process per trainer, with REASONER_TRAINER_THREADS threads (default: "
                               + "every core)."))
    var samplers = 1

    @Flag(help: "Use the servers REASONER_AMQP_URL and REASONER_REDIS_URL name instead of starting local ones.")
    var noServers = false

    func validate() throws {
        guard samplers >= 1 else { throw ValidationError("--samplers must be at least 1") }
    }

    func run() async throws {
        let dir = folder.absolute
        if let running = LocalFleetRecord.read(dir), running.members.contains(where: {
            DetachedProcess.isRunning($0.pid)
        }) {
            print("a fleet is already up in \(dir) (`reasoner fleet down --dir \(folder.dir)` stops it)")
            return
        }
        try FileManager.default.createDirectory(atPath: dir + "/logs", withIntermediateDirectories: true)
        var environment = ProcessInfo.processInfo.environment
        var script: String?
        if !noServers {
            let found = try LocalServers.script()
            script = found
            environment.merge(try LocalServers.start(found, environment: environment)) { _, new in new }
        }
        environment["REASONER_ARTIFACTS"] = environment["REASONER_ARTIFACTS"] ?? dir + "/artifacts"
        environment["OPENBLAS_NUM_THREADS"] = environment["OPENBLAS_NUM_THREADS"] ?? "1"
        try FileManager.default.createDirectory(atPath: environment["REASONER_ARTIFACTS"]!,
                                                withIntermediateDirectories: true)
        let binaries = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().path
        var members: [LocalFleetRecord.Member] = []
        for role in FleetRole.all {
            let executable = binaries + "/" + role.name
            guard FileManager.default.isExecutableFile(atPath: executable) else {
                throw ValidationError("\(executable) is missing: build every product first (swift build -c release)")
            }
            var roleEnvironment = environment
            if role.usesAllCores {
                roleEnvironment["OPENBLAS_NUM_THREADS"] = environment["REASONER_TRAINER_THREADS"]
                    ?? String(ProcessInfo.processInfo.activeProcessorCount)
            }
            for index in 0..<(role.scalable && !role.usesAllCores ? samplers : 1) {
                let log = dir + "/logs/\(role.name)-\(index).log"
                let pid = try DetachedProcess.startSupervised(executable, environment: roleEnvironment, log: log)
                members.append(LocalFleetRecord.Member(role: role.name, index: index, pid: pid, log: log))
            }
        }
        try LocalFleetRecord(members: members, startedServers: script != nil, servicesScript: script).write(dir)
        for member in members { print("\(member.role)-\(member.index)  pid \(member.pid)  log \(member.log)") }
        print("artifacts: \(environment["REASONER_ARTIFACTS"]!)")
        print("submit with: reasoner submit PIPELINE.yaml   (same REASONER_* environment: eval \"$(compose/services env)\")")
    }
}

struct FleetDown: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "down", abstract: "Stop the fleet's processes gracefully (SIGTERM, then SIGKILL after a grace).")

    @OptionGroup var folder: FleetFolderOptions

    @Option(help: "Seconds a process has to finish its message in hand before it is killed.")
    var grace = 30.0

    @Flag(help: "Also stop the RabbitMQ and Redis that `fleet up` started.")
    var servers = false

    func run() async throws {
        let dir = folder.absolute
        guard let record = LocalFleetRecord.read(dir) else {
            print("no fleet recorded in \(dir)")
            return
        }
        await withTaskGroup(of: Void.self) { group in
            for member in record.members {
                group.addTask {
                    let clean = await DetachedProcess.stop(member.pid, grace: .milliseconds(Int(grace * 1000)))
                    print("\(member.role)-\(member.index): " + (clean ? "stopped" : "killed after \(grace) s"))
                }
            }
        }
        if servers, record.startedServers, let script = record.servicesScript {
            let (status, output) = try DetachedProcess.run(script, ["stop"],
                                                           environment: ProcessInfo.processInfo.environment)
            print(output, terminator: "")
            guard status == 0 else { throw ExitCode(status) }
        }
        try? FileManager.default.removeItem(atPath: LocalFleetRecord.path(dir))
    }
}
