import Foundation

/// Decoding helpers for the loosely typed values real rows carry: ids and answers written as numbers, lists written
/// as JSON arrays, as JSON text inside a string (a CSV cell) or as `|`-separated text.
enum FlexibleValues {
    /// A string, or a number written as its shortest text (`17`, `4.5`).
    static func text<Key: CodingKey>(_ container: KeyedDecodingContainer<Key>, _ key: Key) throws -> String {
        if let string = try? container.decode(String.self, forKey: key) { return string }
        if let integer = try? container.decode(Int.self, forKey: key) { return String(integer) }
        if let number = try? container.decode(Double.self, forKey: key) { return String(number) }
        if !container.contains(key) {
            throw DecodingError.keyNotFound(key, DecodingError.Context(codingPath: container.codingPath,
                                                                     debugDescription: "missing"))
        }
        throw DecodingError.typeMismatch(String.self, DecodingError.Context(
            codingPath: container.codingPath + [key], debugDescription: "expected a string or a number"))
    }

    /// `text`, or nil when the key is absent, null or blank.
    static func optionalText<Key: CodingKey>(_ container: KeyedDecodingContainer<Key>, _ key: Key) throws -> String? {
        guard container.contains(key), !((try? container.decodeNil(forKey: key)) ?? false) else { return nil }
        let value = try text(container, key)
        return value.allSatisfy(\.isWhitespace) ? nil : value
    }

    /// A list: a JSON array of strings or numbers, or a string holding a JSON array, or `a|b|c`. Nil when absent,
    /// null or blank.
    static func list<Key: CodingKey>(_ container: KeyedDecodingContainer<Key>, _ key: Key) throws -> [String]? {
        guard container.contains(key), !((try? container.decodeNil(forKey: key)) ?? false) else { return nil }
        if let strings = try? container.decode([String].self, forKey: key) { return strings }
        if let numbers = try? container.decode([Double].self, forKey: key) {
            return numbers.map { $0 == $0.rounded() && abs($0) < 1e15 ? String(Int($0)) : String($0) }
        }
        let written = try text(container, key)
        return try parseList(written, codingPath: container.codingPath + [key])
    }

    /// A list written in one text field: a JSON array (`["a", "b"]`), else `|`-separated (`a|b`); nil when blank.
    static func parseList(_ written: String, codingPath: [any CodingKey]) throws -> [String]? {
        let trimmed = written.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return nil }
        if trimmed.hasPrefix("[") {
            guard let values = try? JSONSerialization.jsonObject(with: Data(trimmed.utf8)) as? [Any] else {
                throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: codingPath,
                    debugDescription: "a list starting with [ must be a JSON array such as [\"a\", \"b\"]"))
            }
            return values.map { value in
                if let string = value as? String { return string }
                if let number = value as? NSNumber { return number.stringValue }
                return "\(value)"
            }
        }
        return trimmed.split(separator: "|", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
    }
}
