import Foundation

/// Appends one JSON object per line — `{"step": N, "<name>": value, ...}` with sorted keys — so the same run
/// writes the same bytes, and readers (plots, `reasoner follow`) parse it line by line.
struct MetricsLog {
    let file: URL

    /// One line's bytes.
    static func line(step: Int, values: [String: Double]) -> String {
        var fields = ["\"step\":\(step)"]
        for (name, value) in values.sorted(by: { $0.key < $1.key }) {
            fields.append("\"\(name)\":" + (value.isFinite ? "\(value)" : "null"))
        }
        return "{" + fields.joined(separator: ",") + "}\n"
    }

    /// Appends a line.
    func append(step: Int, values: [String: Double]) throws {
        try JSONLines.appendBytes(Data(Self.line(step: step, values: values).utf8), to: file)
    }

    /// Every line's values (with `step` among them), in file order.
    static func read(_ file: URL) -> [[String: Double]] {
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?
                .compactMapValues { ($0 as? NSNumber)?.doubleValue }
        }
    }
}
