/// AMQP topic matching: words separated by `.`, `*` matches exactly one word, `#` matches zero or more words.
public enum TopicPattern {
    /// Whether `routingKey` matches `pattern`.
    public static func matches(pattern: String, routingKey: String) -> Bool {
        matches(pattern.split(separator: ".", omittingEmptySubsequences: false)[...],
                routingKey.split(separator: ".", omittingEmptySubsequences: false)[...])
    }

    private static func matches(_ pattern: ArraySlice<Substring>, _ key: ArraySlice<Substring>) -> Bool {
        guard let head = pattern.first else { return key.isEmpty }
        if head == "#" {
            let rest = pattern.dropFirst()
            var remaining = key
            while true {
                if matches(rest, remaining) { return true }
                guard !remaining.isEmpty else { return false }
                remaining = remaining.dropFirst()
            }
        }
        guard let word = key.first else { return false }
        return (head == "*" || head == word) && matches(pattern.dropFirst(), key.dropFirst())
    }
}
