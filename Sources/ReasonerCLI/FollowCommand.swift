import ArgumentParser
import Foundation
import Pipeline
import State

/// `reasoner follow RUN`: the run's events as they happen (stages starting, training steps, shards finishing,
/// evaluation results with the running accuracy of their student and prompt),
/// from the run's stream in Redis (`REASONER_REDIS_URL`); ends when the run does.
struct FollowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "follow", abstract: "Stream a run's events live until it ends (Redis from REASONER_REDIS_URL).")

    @Argument(help: "The run id.")
    var runID: String

    @Flag(help: "Print the events so far and exit instead of waiting for more.")
    var noWait = false

    func run() async throws {
        let store = try RedisStateStore(configuration: try RedisConfiguration.fromEnvironment())
        defer { store.close() }
        var cursor = StreamID.start
        var accuracy = RunningAccuracy()
        while true {
            let events = noWait
                ? try await store.read(StateKeys.events(runID), after: cursor, limit: 500)
                : try await store.follow(StateKeys.events(runID), after: cursor, limit: 500, waitMilliseconds: 2_000)
            for event in events {
                var line = RunEventLine.format(event)
                if let (_, correct, seen) = accuracy.note(event.fields) {
                    line += String(format: " running_accuracy=%.3f (%d/%d)", Double(correct) / Double(seen), correct, seen)
                }
                print(line)
                if event.fields["kind"] == EventKind.runDone.rawValue { return }
                if event.fields["kind"] == EventKind.runFailed.rawValue {
                    print("run \(runID) failed: \(event.fields["reason"] ?? ""); fix the cause, then `reasoner retry \(runID)`")
                    throw ExitCode(1)
                }
            }
            cursor = events.last?.id ?? cursor
            if noWait && events.isEmpty { return }
        }
    }
}

/// One event as a line: its time, kind, and the other fields sorted.
enum RunEventLine {
    static func format(_ event: StreamEntry) -> String {
        let date = Date(timeIntervalSince1970: Double(event.id.milliseconds) / 1000)
        let time = date.formatted(.iso8601.time(includingFractionalSeconds: true))
        let kind = event.fields["kind"] ?? "event"
        let rest = event.fields.filter { $0.key != "kind" }.sorted { $0.key < $1.key }
            .map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        return "\(time) \(kind) \(rest)"
    }
}
