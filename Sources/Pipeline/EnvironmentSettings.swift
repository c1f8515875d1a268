import Foundation

/// The numeric settings a fleet process reads from its environment, each checked at start with a message that
/// names the variable and its allowed range — a zero, a negative number or a typo stops the process with that
/// message instead of a crash on a precondition deep inside (or a silent fallback to the default).
public enum EnvironmentSettings {
    /// One numeric variable and what it may be.
    public struct Setting: Sendable {
        /// The variable.
        public let name: String
        /// Its allowed values.
        public let range: ClosedRange<Double>
        /// Whether it must be a whole number.
        public let integer: Bool
    }

    /// Every numeric setting of the fleet.
    public static let all: [Setting] = [
        Setting(name: "REASONER_PREFETCH", range: 1...1_000, integer: true),
        Setting(name: "OPENBLAS_NUM_THREADS", range: 1...1_024, integer: true),
        Setting(name: "REASONER_TEACHER_CONCURRENCY", range: 1...4_096, integer: true),
        Setting(name: "REASONER_TEACHER_RPM", range: 1...10_000_000, integer: true),
        Setting(name: "REASONER_TEACHER_TPM", range: 1...1_000_000_000_000, integer: true),
        Setting(name: "REASONER_TEACHER_PRICE_PROMPT", range: 0...1_000_000, integer: false),
        Setting(name: "REASONER_TEACHER_PRICE_COMPLETION", range: 0...1_000_000, integer: false),
        Setting(name: "REASONER_TEACHER_TIMEOUT_SECONDS", range: 1...3_600, integer: false),
    ]

    /// A setting that cannot be used.
    public struct Invalid: Error, Equatable, CustomStringConvertible {
        /// The variable.
        public let name: String
        /// Its value.
        public let value: String
        /// What it may be.
        public let allowed: String

        public var description: String { "\(name)=\(value) is not usable: it must be \(allowed) (or unset for the default)" }
    }

    /// Checks every numeric setting present in `environment`.
    public static func validate(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        for setting in all { _ = try number(setting.name, environment) }
    }

    /// The value of the numeric setting `name` (nil when unset), checked against its range.
    public static func number(_ name: String, _ environment: [String: String] = ProcessInfo.processInfo.environment)
        throws -> Double? {
        guard let text = environment[name]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        guard let setting = all.first(where: { $0.name == name }) else { return Double(text) }
        let lower = setting.integer ? String(Int(setting.range.lowerBound)) : String(setting.range.lowerBound)
        let upper = setting.integer ? String(Int(setting.range.upperBound)) : String(setting.range.upperBound)
        let allowed = (setting.integer ? "a whole number" : "a number") + " from \(lower) to \(upper)"
        guard let value = Double(text), value.isFinite, setting.range.contains(value),
              !setting.integer || value == value.rounded() else {
            throw Invalid(name: name, value: text, allowed: allowed)
        }
        return value
    }

    /// The whole-number setting `name`, or `fallback` when unset.
    public static func integer(_ name: String, default fallback: Int,
                               _ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Int {
        try number(name, environment).map { Int($0) } ?? fallback
    }
}
