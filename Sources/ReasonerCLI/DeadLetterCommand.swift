import ArgumentParser
import Messaging
import Pipeline

/// `reasoner dlq list|retry|drop ROLE`: the dead letters of a role's queue (broker from REASONER_AMQP_URL).
struct DeadLetterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlq", abstract: "Inspect, retry or drop a role's dead letters.",
        subcommands: [List.self, Retry.self, Drop.self])

    /// The role whose dead letters to handle.
    struct Role: ParsableArguments {
        @Argument(help: "The role: distiller, sampler, judge, sft-trainer, dpo-trainer, evaluator or coordinator.")
        var role: String

        var queue: String { "reasoner.\(role)" }

        func validate() throws {
            guard FleetTopology.standard.queue(named: queue) != nil else {
                throw ValidationError("unknown role '\(role)'")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List dead letters with their reasons (they stay).")
        @OptionGroup var role: Role
        @Option(help: "Most letters to show.") var limit = 50

        func run() async throws {
            try await withDeadLetters { letters in
                let list = try await letters.list(role.queue, limit: limit)
                if list.isEmpty { print("no dead letters in \(role.queue).dlq") }
                for letter in list {
                    print("\(letter.id ?? "(not a message)")  \(letter.type ?? "")  run \(letter.runID ?? "-")  \(letter.reason)")
                }
            }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send dead letters back to their queue.")
        @OptionGroup var role: Role

        func run() async throws {
            try await withDeadLetters { letters in
                print("sent \(try await letters.retry(role.queue)) letters back to \(role.queue)")
            }
        }
    }

    struct Drop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete every dead letter of the role.")
        @OptionGroup var role: Role

        func run() async throws {
            try await withDeadLetters { letters in
                print("dropped \(try await letters.drop(role.queue)) letters from \(role.queue).dlq")
            }
        }
    }
}

private func withDeadLetters(_ body: (DeadLetters) async throws -> Void) async throws {
    let broker = AMQPBroker(configuration: try AMQPConfiguration.fromEnvironment())
    defer { broker.shutdown() }
    try await broker.declare(FleetTopology.standard)
    try await body(DeadLetters(broker: broker))
}
