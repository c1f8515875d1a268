import Foundation

/// What travels on a queue: a typed, versioned, identified payload.
///
/// The type name and schema version say how to read `payload` (JSON), never code; the message id is stable across
/// redeliveries and republishing, so it is the idempotency key of the message's effects; the run id scopes it.
public struct Envelope: Sendable, Equatable, Codable {
    /// Stable type name, e.g. `sample.task` (see ``WorkMessage/typeName``).
    public var type: String
    /// Schema version of the payload for that type.
    public var version: Int
    /// Stable message id: the same work re-sent carries the same id.
    public var id: String
    /// The pipeline run the message belongs to.
    public var runID: String
    /// The payload as JSON.
    public var payload: Data
    /// Extra string headers (for example the reason a message was dead-lettered).
    public var headers: [String: String]

    /// Makes an envelope from its parts.
    public init(type: String, version: Int, id: String, runID: String, payload: Data, headers: [String: String] = [:]) {
        self.type = type
        self.version = version
        self.id = id
        self.runID = runID
        self.payload = payload
        self.headers = headers
    }

    /// Wraps a message, encoding it as JSON with sorted keys (the same message always gives the same bytes).
    public init<Message: WorkMessage>(_ message: Message, id: String, runID: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        self.init(type: Message.typeName, version: Message.schemaVersion, id: id, runID: runID,
                  payload: try encoder.encode(message))
    }

    /// Reads the payload as `Message`, checking its type name and schema version first.
    public func decode<Message: WorkMessage>(_: Message.Type = Message.self) throws -> Message {
        guard type == Message.typeName else {
            throw MessageError.unexpectedType(id: id, expected: Message.typeName, actual: type)
        }
        guard version == Message.schemaVersion else {
            throw MessageError.unsupportedVersion(id: id, type: type, version: version, supported: Message.schemaVersion)
        }
        do {
            return try JSONDecoder().decode(Message.self, from: payload)
        } catch {
            throw MessageError.malformedPayload(id: id, type: type, reason: String(describing: error))
        }
    }
}

/// A message that a worker consumes or publishes: a `Codable` struct with a stable type name and schema version.
public protocol WorkMessage: Codable, Sendable {
    /// Stable name on the wire; never the Swift type name, which may change.
    static var typeName: String { get }
    /// Bumped whenever the payload's meaning or shape changes; other versions are refused, not guessed at.
    static var schemaVersion: Int { get }
}

/// Why a message could not be read.
public enum MessageError: Error, Equatable, CustomStringConvertible {
    /// The message is of another type than the queue's handler reads.
    case unexpectedType(id: String, expected: String, actual: String)
    /// The message's schema version is not one this worker reads.
    case unsupportedVersion(id: String, type: String, version: Int, supported: Int)
    /// The payload is not valid JSON for its type.
    case malformedPayload(id: String, type: String, reason: String)
    /// The broker message lacks the properties an envelope needs.
    case missingProperty(name: String)

    public var description: String {
        switch self {
        case .unexpectedType(let id, let expected, let actual):
            return "message \(id) is a '\(actual)', but this queue's worker reads '\(expected)'; publish it to the right queue"
        case .unsupportedVersion(let id, let type, let version, let supported):
            return "message \(id) is '\(type)' version \(version); this worker reads version \(supported): upgrade the worker or the producer"
        case .malformedPayload(let id, let type, let reason):
            return "message \(id) ('\(type)') has a payload that does not decode: \(reason)"
        case .missingProperty(let name):
            return "the message has no '\(name)' property; publish it through Reasoner's publisher or set it by hand"
        }
    }
}
