import Foundation
import Pipeline
import TestSupport
import Testing

/// The repository root (this file is Tests/DeploymentTests/ComposeFileTests.swift).
private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

private func text(_ relative: String) throws -> String {
    try String(contentsOfFile: root + "/" + relative, encoding: .utf8)
}

/// Every `pattern` capture group 1 in `text`.
private func captures(_ pattern: String, in text: String) throws -> [String] {
    let regex = try NSRegularExpression(pattern: pattern)
    return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap {
        Range($0.range(at: 1), in: text).map { String(text[$0]) }
    }
}

/// The compose file as `docker-compose config` resolves it (anchors merged), as JSON objects.
private func resolvedCompose() throws -> [String: Any] {
    let (status, output) = try ChildProcess.run("/usr/bin/env", ["docker-compose", "-f", root + "/compose/docker-compose.yml", "config"])
    guard status == 0 else {
        Issue.record("docker-compose config failed (install it with compose/install --servers): \(output)")
        throw CancellationError()
    }
    let yamlPath = FileManager.default.temporaryDirectory.appendingPathComponent("compose-\(UUID().uuidString).yml").path
    try output.write(toFile: yamlPath, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: yamlPath) }
    // docker-compose is Python; its YAML library turns the resolved file into JSON for Foundation to read.
    let (converted, json) = try ChildProcess.run("/usr/bin/python3", [
        "-c", "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))", yamlPath,
    ])
    guard converted == 0, let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else {
        Issue.record("could not read the resolved compose file: \(json)")
        throw CancellationError()
    }
    return object
}

/// The worker executables the package builds (targets under workers/).
private func workerExecutables() throws -> Set<String> {
    Set(try captures(#"\.executableTarget\(name: "([a-z-]+)",[^)]*?path: "workers/"#, in: try text("Package.swift")))
}

@Test func theComposeFileIsValidAndKeepsItsInvariants() throws {
    let compose = try resolvedCompose()
    let services = try #require(compose["services"] as? [String: [String: Any]])
    let workers = try workerExecutables()
    #expect(workers.contains("distiller") && workers.contains("judge"))
    #expect(Set(services.keys).isSuperset(of: workers.union(["rabbitmq", "redis", "cli"])),
            "every worker role has a service: missing \(workers.subtracting(services.keys))")
    for (name, service) in services {
        #expect(service["container_name"] == nil, "\(name): no container_name, so it can be scaled")
        if name == "cli" { continue }
        #expect(service["healthcheck"] != nil, "\(name) has a healthcheck")
        #expect(service["restart"] as? String == "unless-stopped", "\(name) restarts")
        #expect(service["stop_grace_period"] != nil, "\(name) has time to stop gracefully")
    }
    for worker in workers {
        let service = try #require(services[worker])
        let dependsOn = try #require(service["depends_on"] as? [String: [String: String]])
        #expect(dependsOn["rabbitmq"]?["condition"] == "service_healthy")
        #expect(dependsOn["redis"]?["condition"] == "service_healthy")
        let environment = try #require(service["environment"] as? [String: Any])
        #expect(environment["OPENBLAS_NUM_THREADS"] != nil, "\(worker) sets its BLAS threads")
        let healthcheck = try #require(service["healthcheck"] as? [String: Any])
        #expect((healthcheck["test"] as? [String]) == ["CMD", worker, "--check"])
    }
}

@Test func theComposeFileHoldsNoSecrets() throws {
    let compose = try resolvedCompose()
    let services = try #require(compose["services"] as? [String: [String: Any]])
    for (name, service) in services {
        for (key, value) in (service["environment"] as? [String: Any]) ?? [:] {
            let value = "\(value)"
            #expect(!(key.contains("PASSWORD") || key.contains("API_KEY")) || key.hasSuffix("_FILE"),
                    "\(name): \(key) must point at a secret file, not hold the secret")
            #expect(!value.contains("sk-") && !value.contains(":guest@") && !value.contains("://reasoner:"),
                    "\(name): \(key) looks like it holds a credential")
        }
    }
    let secrets = try #require(compose["secrets"] as? [String: [String: String]])
    #expect(secrets.values.allSatisfy { $0["file"] != nil }, "secrets come from files")
}

@Test func commandsAndEnvironmentMatchWhatTheExecutablesAccept() throws {
    let compose = try resolvedCompose()
    let services = try #require(compose["services"] as? [String: [String: Any]])
    let dockerfile = try text("compose/Dockerfile")
    let products = Set(try captures(#"ARG PRODUCTS="([^"]+)""#, in: dockerfile).first?.split(separator: " ").map(String.init) ?? [])
    let executables = Set(try captures(#"\.executable\(name: "([a-z-]+)""#, in: try text("Package.swift")))
    #expect(products.isSubset(of: executables), "the image builds only products the package has")
    // Every environment variable the compose file sets is one Reasoner's sources read.
    var readBySources = Set<String>()
    for file in FileManager.default.enumerator(atPath: root + "/Sources")?.compactMap({ $0 as? String }) ?? []
    where file.hasSuffix(".swift") {
        readBySources.formUnion(try captures(#""(REASONER_[A-Z_]+|OPENBLAS_NUM_THREADS)""#, in: try text("Sources/" + file)))
    }
    readBySources.insert("OPENBLAS_NUM_THREADS")  // read by OpenBLAS itself
    for (name, service) in services where !["rabbitmq", "redis"].contains(name) {
        let command = try #require(service["command"] as? [String])
        #expect(products.contains(command[0]), "\(name) runs \(command[0]), which the image must carry")
        for key in ((service["environment"] as? [String: Any]) ?? [:]).keys {
            #expect(readBySources.contains(key), "\(name) sets \(key), which no executable reads")
        }
    }
}

/// `reasoner fleet up` starts `FleetRole.all`; the compose file must run exactly those roles, by the same commands.
@Test func theLocalFleetAndTheComposeFileRunTheSameRoles() throws {
    let compose = try resolvedCompose()
    let services = try #require(compose["services"] as? [String: [String: Any]])
    let composeRoles = Set(services.keys).subtracting(["rabbitmq", "redis", "cli"])
    #expect(composeRoles == Set(FleetRole.all.map(\.name)))
    for role in FleetRole.all {
        #expect((services[role.name]?["command"] as? [String]) == [role.name], "\(role.name) runs its executable")
    }
    #expect(try workerExecutables() == Set(FleetRole.all.map(\.name)), "every role is a worker executable")
}
