import Imaging

/// The content of one image, per family. Encoded as `{"<family>": {...}}`, so a JSON reader sees the family at once.
public enum Scene: Sendable, Equatable {
    /// A bar chart.
    case chart(ChartScene)
    /// Shapes to count.
    case counting(ObjectScene)
    /// Shapes, asked about with four options.
    case choice(ObjectScene)
    /// Lines of a word and a number.
    case reading(TextScene)
    /// Number tiles.
    case math(TileScene)

    /// The family whose scene this is.
    public var family: Family {
        switch self {
        case .chart: return .chart
        case .counting: return .counting
        case .choice: return .choice
        case .reading: return .reading
        case .math: return .math
        }
    }

    /// A random scene of a family.
    static func random(_ family: Family, _ rng: inout SeededGenerator, difficulty: Difficulty) -> Scene {
        switch family {
        case .chart: return .chart(.random(&rng, difficulty: difficulty))
        case .counting: return .counting(.random(&rng, difficulty: difficulty))
        case .choice: return .choice(.random(&rng, difficulty: difficulty))
        case .reading: return .reading(.random(&rng, difficulty: difficulty))
        case .math: return .math(.random(&rng, difficulty: difficulty))
        }
    }

    /// The scene described in the words a caption-pretrained student learns ("Bars: red 7, blue 3.").
    public var caption: String {
        switch self {
        case .chart(let s): return s.caption
        case .counting(let s), .choice(let s): return s.caption
        case .reading(let s): return s.caption
        case .math(let s): return s.caption
        }
    }

    /// The image of the scene, `size` x `size` pixels.
    public func render(size: Int) -> RGBImage {
        switch self {
        case .chart(let s): return s.render(size: size)
        case .counting(let s), .choice(let s): return s.render(size: size)
        case .reading(let s): return s.render(size: size)
        case .math(let s): return s.render(size: size)
        }
    }

    /// A question this scene can answer.
    func randomQuery(_ rng: inout SeededGenerator, difficulty: Difficulty) -> Query {
        switch self {
        case .chart(let s): return s.randomQuery(&rng, difficulty: difficulty)
        case .counting(let s): return s.randomQuery(&rng, difficulty: difficulty, forChoice: false)
        case .choice(let s): return s.randomQuery(&rng, difficulty: difficulty, forChoice: true)
        case .reading(let s): return s.randomQuery(&rng, difficulty: difficulty)
        case .math(let s): return s.randomQuery(&rng, difficulty: difficulty)
        }
    }

    /// The question text of a query (without options or prompt suffix).
    public func question(_ query: Query) -> String {
        switch self {
        case .chart(let s): return s.question(query)
        case .counting(let s), .choice(let s): return s.question(query)
        case .reading(let s): return s.question(query)
        case .math(let s): return s.question(query)
        }
    }

    /// The worked solution of a query on this scene (no formatting of the answer).
    public func solve(_ query: Query) -> Solution {
        switch self {
        case .chart(let s): return s.solve(query)
        case .counting(let s), .choice(let s): return s.solve(query)
        case .reading(let s): return s.solve(query)
        case .math(let s): return s.solve(query)
        }
    }

    /// One look-up question, its one-sentence answer worded as rationales word look-ups ("The red bar is 7.",
    /// "Red shapes: circle, square, so 2."), and the value.
    func lookup(_ rng: inout SeededGenerator) -> (question: String, sentence: String, value: String) {
        var plain: SeededGenerator?
        let query: Query
        switch self {
        case .chart(let s): query = Query(kind: .barValue, colours: [rng.pick(s.bars).colour])
        case .counting(let s), .choice(let s): query = Query(kind: .countColour, colours: [rng.pick(s.objects).colour])
        case .reading(let s): query = Query(kind: .valueOf, words: [rng.pick(s.entries).word])
        case .math(let s):
            let tile = rng.pick(s.tiles)
            let reading = Reading(subject: "\(tile.colour.rawValue) tile", key: tile.colour.rawValue, value: String(tile.value))
            return ("What is the \(tile.colour.rawValue) number?", RationaleWriter.sentence(reading, rng: &plain),
                    reading.value)
        }
        let solution = solve(query)
        let sentence = solution.steps.first.map { RationaleWriter.sentence($0, later: false, rng: &plain) }
            ?? RationaleWriter.sentence(solution.readings[0], rng: &plain)
        return (question(query), sentence, solution.final)
    }

    /// The scene with one thing misread (a value off by one or two, an object taken for another), as a fallible
    /// teacher sees it.
    func misread(_ rng: inout SeededGenerator) -> Scene {
        switch self {
        case .chart(let s): return .chart(s.misread(&rng))
        case .counting(let s): return .counting(s.misread(&rng))
        case .choice(let s): return .choice(s.misread(&rng))
        case .reading(let s): return .reading(s.misread(&rng))
        case .math(let s): return .math(s.misread(&rng))
        }
    }
}

extension Scene: Codable {
    private enum CodingKeys: String, CodingKey {
        case chart, counting, choice, reading, math
    }

    /// Decodes `{"<family>": {...}}`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard let key = container.allKeys.first, container.allKeys.count == 1 else {
            throw DecodingError.dataCorrupted(.init(codingPath: container.codingPath,
                debugDescription: "a scene is an object with exactly one key, its family (chart, counting, ...)"))
        }
        switch key {
        case .chart: self = .chart(try container.decode(ChartScene.self, forKey: key))
        case .counting: self = .counting(try container.decode(ObjectScene.self, forKey: key))
        case .choice: self = .choice(try container.decode(ObjectScene.self, forKey: key))
        case .reading: self = .reading(try container.decode(TextScene.self, forKey: key))
        case .math: self = .math(try container.decode(TileScene.self, forKey: key))
        }
    }

    /// Encodes `{"<family>": {...}}`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .chart(let s): try container.encode(s, forKey: .chart)
        case .counting(let s): try container.encode(s, forKey: .counting)
        case .choice(let s): try container.encode(s, forKey: .choice)
        case .reading(let s): try container.encode(s, forKey: .reading)
        case .math(let s): try container.encode(s, forKey: .math)
        }
    }
}
