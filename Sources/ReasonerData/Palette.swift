/// The colours a scene may use. Six hues far apart in RGB, so an 8x8-patch vision tower tells them apart easily.
public enum Colour: String, Codable, Sendable, CaseIterable, Comparable {
    /// (220, 30, 30).
    case red
    /// (30, 170, 50).
    case green
    /// (30, 70, 220).
    case blue
    /// (235, 200, 20).
    case yellow
    /// (140, 40, 180).
    case purple
    /// (245, 130, 20).
    case orange

    /// The colour's pixel value.
    public var rgb: (UInt8, UInt8, UInt8) {
        switch self {
        case .red: return (220, 30, 30)
        case .green: return (30, 170, 50)
        case .blue: return (30, 70, 220)
        case .yellow: return (235, 200, 20)
        case .purple: return (140, 40, 180)
        case .orange: return (245, 130, 20)
        }
    }

    /// Orders colours by their declaration order (used only to make sorted listings stable).
    public static func < (lhs: Colour, rhs: Colour) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// The shapes of object scenes.
public enum Shape: String, Codable, Sendable, CaseIterable {
    /// A disc that touches the four sides of its patch.
    case circle
    /// A square that fills its patch.
    case square
    /// An upward triangle as wide and high as its patch.
    case triangle

    /// The plural used in questions ("How many circles are there?").
    public var plural: String { rawValue + "s" }
}

/// Fixed drawing colours outside the palette.
enum Ink {
    static let background: (UInt8, UInt8, UInt8) = (255, 255, 255)
    static let text: (UInt8, UInt8, UInt8) = (0, 0, 0)
    static let onTile: (UInt8, UInt8, UInt8) = (255, 255, 255)
}
