import Foundation
import ReasonerData

/// A suite caption split into its fields: `"Bars: red 7, blue 3."` → head `Bars`, fields `[["red", "7"],
/// ["blue", "3"]]`. Every family's caption has this shape (`Scene.caption`), so a generated caption can be scored
/// field by field and word slot by word slot (for a chart: colours right, heights right).
public struct CaptionFields: Sendable, Equatable {
    /// The word before the colon (`Bars`, `Shapes`, `Text`, `Tiles`); empty when there is no colon.
    public var head: String
    /// The comma-separated fields, each split into its words.
    public var fields: [[String]]

    /// Parses `text`; anything that is not a caption parses to whatever fields its commas and spaces give.
    public init(parsing text: String) {
        var body = Substring(text.trimmingCharacters(in: .whitespacesAndNewlines))
        if body.hasSuffix(".") { body = body.dropLast() }
        if let colon = body.firstIndex(of: ":") {
            head = String(body[..<colon])
            body = body[body.index(after: colon)...]
        } else {
            head = ""
        }
        fields = body.split(separator: ",").map { $0.split(separator: " ").map(String.init) }
            .filter { !$0.isEmpty }
    }

    /// The names of a family's word slots, in field order.
    public static func slotNames(_ family: Family) -> [String] {
        switch family {
        case .chart: return ["colour", "height"]
        case .counting, .choice: return ["colour", "shape"]
        case .reading: return ["word", "number"]
        case .math: return ["colour", "number"]
        }
    }

    /// Per slot, how many of `expected`'s fields `self` has right at the same field index and slot (a generated
    /// caption that drops or adds a field early is wrong on every later field, as a reader of it would be).
    public func slotMatches(against expected: CaptionFields, slots: Int) -> [Int] {
        (0..<slots).map { slot in
            expected.fields.indices.filter { index in
                index < fields.count && slot < fields[index].count && slot < expected.fields[index].count
                    && fields[index][slot] == expected.fields[index][slot]
            }.count
        }
    }
}
