import Foundation
import Messaging

/// Follow-up messages are stored inside the done-mark, so that a message redelivered after its effects were recorded
/// (the worker died before publishing or acknowledging) publishes the same follow-ups again without redoing the work.
enum FollowUpCodec {
    /// The result field that holds the encoded follow-ups.
    static let field = "_follow_ups"

    private struct Stored: Codable {
        var exchange: String
        var routingKey: String
        var envelope: Envelope
    }

    static func encode(_ messages: [OutgoingMessage]) throws -> String {
        let stored = messages.map { Stored(exchange: $0.exchange, routingKey: $0.routingKey, envelope: $0.envelope) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(stored), as: UTF8.self)
    }

    static func decode(_ result: [String: String]) throws -> [OutgoingMessage] {
        guard let text = result[field] else { return [] }
        return try JSONDecoder().decode([Stored].self, from: Data(text.utf8)).map {
            OutgoingMessage(exchange: $0.exchange, routingKey: $0.routingKey, envelope: $0.envelope)
        }
    }
}
