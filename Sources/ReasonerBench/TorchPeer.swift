import ArgumentParser
import Foundation

/// Runs a PyTorch peer script of `Tests/Reference` with the venv's Python (`REASONER_TORCH_PYTHON`, default
/// `/work/main/.local/torch/bin/python`) and reads its one `RESULT key=value ...` line.
enum TorchPeer {
    /// The numeric fields of the script's `RESULT` line; `required` must all be present.
    static func run(script: String, arguments: [String], required: [String]) throws -> [String: Double] {
        let python = ProcessInfo.processInfo.environment["REASONER_TORCH_PYTHON"] ?? "/work/main/.local/torch/bin/python"
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Tests/Reference/\(script)").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [path] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        do { try process.run() } catch {
            throw ValidationError("cannot run \(python) (\(error)); set REASONER_TORCH_PYTHON or pass --no-torch")
        }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let line = output.split(separator: "\n").last(where: { $0.hasPrefix("RESULT") }) else {
            throw ValidationError("PyTorch peer \(script) failed (exit \(process.terminationStatus)): \(output)")
        }
        var fields: [String: Double] = [:]
        for part in line.split(separator: " ").dropFirst() {
            let kv = part.split(separator: "=")
            if kv.count == 2 { fields[String(kv[0])] = Double(kv[1]) }
        }
        guard required.allSatisfy({ fields[$0] != nil }) else {
            throw ValidationError("PyTorch peer \(script) printed an unexpected line: \(line)")
        }
        return fields
    }
}
