import Imaging

/// Coloured shapes on a 4x4 grid, each filling exactly one 8x8 patch of the student's vision tower (one patch per
/// object, a blank patch between neighbours), so that counting objects is counting patches.
public struct ObjectScene: Codable, Sendable, Equatable {
    /// One shape.
    public struct Object: Codable, Sendable, Equatable {
        /// Its colour.
        public var colour: Colour
        /// Its shape.
        public var shape: Shape
        /// Its grid cell, 0...15, row-major from the top-left; at most one object per cell.
        public var cell: Int
    }

    /// The objects in reading order (by cell).
    public var objects: [Object]

    /// "Shapes: red circle, blue square, red triangle." in reading order.
    public var caption: String {
        "Shapes: " + objects.map { "\($0.colour.rawValue) \($0.shape.rawValue)" }.joined(separator: ", ") + "."
    }

    /// Cells per side of the object grid; cell (c, r) is the patch at column 2c, row 2r.
    static let gridSide = 4

    /// A random scene.
    static func random(_ rng: inout SeededGenerator, difficulty: Difficulty) -> ObjectScene {
        let count: Int, colourCount: Int
        switch difficulty {
        case .easy: count = rng.int(in: 2...4); colourCount = 2
        case .medium: count = rng.int(in: 3...6); colourCount = rng.int(in: 2...3)
        case .hard: count = rng.int(in: 5...7); colourCount = rng.int(in: 3...4)
        }
        let colours = rng.sample(Colour.allCases, count: colourCount)
        let cells = rng.sample(Array(0..<(gridSide * gridSide)), count: count).sorted()
        return ObjectScene(objects: cells.map { cell in
            Object(colour: rng.pick(colours), shape: rng.pick(Shape.allCases), cell: cell)
        })
    }

    /// The colours present, in palette order.
    var colours: [Colour] { Array(Set(objects.map(\.colour))).sorted() }

    func count(_ colour: Colour) -> Int { objects.filter { $0.colour == colour }.count }

    /// A question about this scene; `forChoice` allows the "which colour" question that needs options.
    func randomQuery(_ rng: inout SeededGenerator, difficulty: Difficulty, forChoice: Bool) -> Query {
        if rng.chance(difficulty.oneStepShare) {
            return Query(kind: .countColour, colours: [rng.pick(colours)])
        }
        var kinds: [QueryKind] = [.countShape]
        let present = colours
        if present.count >= 2 {
            kinds += [.countEither, .countEither, .notColour, .notColour]
            if Set(present.map(count)).count > 1 { kinds += [.moreColour, .moreColour] }
            let counts = present.map(count)
            if forChoice, counts.filter({ $0 == counts.max()! }).count == 1 { kinds += [.mostColour, .mostColour] }
        }
        switch rng.pick(kinds) {
        case .countShape:
            return Query(kind: .countShape, shape: rng.pick(Shape.allCases))
        case .countEither:
            return Query(kind: .countEither, colours: rng.sample(present, count: 2))
        case .notColour:
            return Query(kind: .notColour, colours: [rng.pick(present)])
        case .moreColour:
            var pair = rng.sample(present, count: 2)
            while count(pair[0]) == count(pair[1]) { pair = rng.sample(present, count: 2) }
            return Query(kind: .moreColour, colours: pair.sorted { count($0) > count($1) })
        default:
            return Query(kind: .mostColour)
        }
    }

    /// The question text.
    func question(_ query: Query) -> String {
        let c = query.colours?.map(\.rawValue) ?? []
        switch query.kind {
        case .countColour: return "How many \(c[0]) shapes are there?"
        case .countShape: return "How many \(query.shape?.plural ?? "shapes") are there?"
        case .moreColour: return "How many more \(c[0]) shapes are there than \(c[1]) shapes?"
        case .countEither: return "How many shapes are \(c[0]) or \(c[1])?"
        case .notColour: return "How many shapes are not \(c[0])?"
        default: return "Which colour has the most shapes?"
        }
    }

    /// Counting the objects of a colour, each listed as the caption lists it ("red circle"), so listing them is
    /// copying from the caption.
    private func countStep(_ colour: Colour) -> Step {
        let members = objects.filter { $0.colour == colour }.map { "\($0.colour.rawValue) \($0.shape.rawValue)" }
        return .count(subject: "\(colour.rawValue) shapes", members: members, result: members.count)
    }

    /// The worked solution: counts are steps that list what they count, so counting is copying from the caption.
    func solve(_ query: Query) -> Solution {
        let c = query.colours ?? []
        switch query.kind {
        case .countColour:
            return Solution(readings: [], steps: [countStep(c[0])])
        case .countShape:
            let shape = query.shape ?? .circle
            let members = objects.filter { $0.shape == shape }.map { "\($0.colour.rawValue) \($0.shape.rawValue)" }
            return Solution(readings: [], steps: [.count(subject: shape.plural, members: members,
                                                         result: members.count)])
        case .notColour:
            let all = objects.map { "\($0.colour.rawValue) \($0.shape.rawValue)" }
            let (n, k) = (objects.count, count(c[0]))
            return Solution(readings: [], steps: [
                .count(subject: "all shapes", members: all, result: n), countStep(c[0]),
                .arithmetic(lhs: n, op: .minus, rhs: k, result: n - k),
            ])
        case .moreColour, .countEither:
            let (a, b) = (count(c[0]), count(c[1]))
            let op: Operation = query.kind == .moreColour ? .minus : .plus
            return Solution(readings: [], steps: [
                countStep(c[0]), countStep(c[1]), .arithmetic(lhs: a, op: op, rhs: b, result: op.apply(a, b)),
            ])
        default:
            let present = colours
            let counts = present.map(count)
            let top = counts.max() ?? 0
            let winner = present[counts.firstIndex(of: top) ?? 0].rawValue
            return Solution(readings: [], steps: present.map(countStep) + [
                .extreme(kind: .max, values: counts, result: top),
                .select(subject: "colour with the most shapes", value: winner, options: present.map(\.rawValue)),
            ])
        }
    }

    /// The top-left corner of `cell`'s patch, in design units.
    static func origin(_ cell: Int) -> (x: Double, y: Double) {
        (Double(2 * (cell % gridSide)) * Canvas.cell, Double(2 * (cell / gridSide)) * Canvas.cell)
    }

    /// Draws each shape filling its cell's patch.
    func render(size: Int) -> RGBImage {
        var canvas = Canvas(size: size)
        let side = Canvas.cell, half = side / 2
        for object in objects {
            let (x, y) = Self.origin(object.cell)
            switch object.shape {
            case .circle:
                canvas.fillCircle(cx: x + half, cy: y + half, radius: half, colour: object.colour.rgb)
            case .square:
                canvas.fillRect(x0: x, y0: y, x1: x + side, y1: y + side, colour: object.colour.rgb)
            case .triangle:
                canvas.fillTriangle(x0: x, y0: y, x1: x + side, y1: y + side, colour: object.colour.rgb)
            }
        }
        return canvas.image
    }

    /// The scene as a careless reader might see it: one object taken for another colour or shape.
    func misread(_ rng: inout SeededGenerator) -> ObjectScene {
        var copy = self
        let i = rng.below(objects.count)
        if rng.chance(0.5) {
            copy.objects[i].colour = rng.pick(Colour.allCases.filter { $0 != objects[i].colour })
        } else {
            copy.objects[i].shape = rng.pick(Shape.allCases.filter { $0 != objects[i].shape })
        }
        return copy
    }
}
