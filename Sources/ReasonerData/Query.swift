/// What a question asks, in structured form, so the solver and the offline teacher need neither pixels nor parsing.
public struct Query: Codable, Sendable, Equatable {
    /// The kind of question.
    public var kind: QueryKind
    /// The colours the question names, in the order it names them.
    public var colours: [Colour]?
    /// The shape the question names.
    public var shape: Shape?
    /// The words (labels of a reading scene) the question names.
    public var words: [String]?
    /// A threshold ("higher than 4").
    public var threshold: Int?

    /// Creates a query.
    public init(kind: QueryKind, colours: [Colour]? = nil, shape: Shape? = nil, words: [String]? = nil,
                threshold: Int? = nil) {
        self.kind = kind
        self.colours = colours
        self.shape = shape
        self.words = words
        self.threshold = threshold
    }
}

/// The kinds of question of every family.
public enum QueryKind: String, Codable, Sendable, CaseIterable {
    // chart
    /// The value of one bar (one step).
    case barValue
    /// How much higher one bar is than another.
    case barDifference
    /// The sum of two bars.
    case barSum
    /// The colour of the tallest bar.
    case tallestBar
    /// How many bars are higher than a threshold.
    case countAbove
    /// Tallest minus shortest.
    case barRange
    /// One bar plus another minus a third (three look-ups, two operations).
    case barSumMinus
    // counting and choice
    /// How many shapes of one colour (one step).
    case countColour
    /// How many shapes of one kind.
    case countShape
    /// How many more shapes of one colour than of another.
    case moreColour
    /// How many shapes are of either of two colours.
    case countEither
    /// Which colour has the most shapes.
    case mostColour
    /// How many shapes are not of one colour (count all, count that colour, subtract).
    case notColour
    // reading
    /// The number written after a word (one step).
    case valueOf
    /// The sum of the numbers after two words.
    case sumOf
    /// How much larger one word's number is than another's.
    case differenceOf
    /// Which word has the largest number.
    case largestWord
    /// The largest number minus the number after a word (compare, look up, subtract).
    case largestMinus
    // math
    /// The sum of every tile.
    case tileSum
    /// The product of two tiles.
    case tileProduct
    /// (a + b) * c over three tiles.
    case tileSumTimes
    /// a * b - c over three tiles.
    case tileProductMinus
    /// Largest tile minus smallest.
    case tileRange

    /// Whether the question needs a single look-up and no computation.
    var isOneStep: Bool {
        self == .barValue || self == .countColour || self == .valueOf
    }
}
