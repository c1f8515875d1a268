import Imaging

/// Coloured shapes on a 3x3 grid, each 16 design pixels across so an 8x8-patch vision tower can see it.
public struct ObjectScene: Codable, Sendable, Equatable {
    /// One shape.
    public struct Object: Codable, Sendable, Equatable {
        /// Its colour.
        public var colour: Colour
        /// Its shape.
        public var shape: Shape
        /// Its grid cell, 0...8, row-major from the top-left; at most one object per cell.
        public var cell: Int
        /// A small horizontal offset from the cell's centre, in design pixels.
        public var dx: Int
        /// A small vertical offset from the cell's centre, in design pixels.
        public var dy: Int
    }

    /// The objects in reading order (by cell).
    public var objects: [Object]

    /// "Shapes: red circle, blue square, red triangle." in reading order.
    public var caption: String {
        "Shapes: " + objects.map { "\($0.colour.rawValue) \($0.shape.rawValue)" }.joined(separator: ", ") + "."
    }

    static let cellSize = 64.0 / 3
    static let shapeSize = 16.0

    /// A random scene.
    static func random(_ rng: inout SeededGenerator, difficulty: Difficulty) -> ObjectScene {
        let count: Int, colourCount: Int
        switch difficulty {
        case .easy: count = rng.int(in: 2...4); colourCount = 2
        case .medium: count = rng.int(in: 3...6); colourCount = rng.int(in: 2...3)
        case .hard: count = rng.int(in: 5...7); colourCount = rng.int(in: 3...4)
        }
        let colours = rng.sample(Colour.allCases, count: colourCount)
        let cells = rng.sample(Array(0..<9), count: count).sorted()
        return ObjectScene(objects: cells.map { cell in
            Object(colour: rng.pick(colours), shape: rng.pick(Shape.allCases), cell: cell,
                   dx: rng.int(in: -2...2), dy: rng.int(in: -2...2))
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
            kinds += [.countEither, .countEither]
            if Set(present.map(count)).count > 1 { kinds += [.moreColour, .moreColour] }
            let counts = present.map(count)
            if forChoice, counts.filter({ $0 == counts.max()! }).count == 1 { kinds += [.mostColour, .mostColour] }
        }
        switch rng.pick(kinds) {
        case .countShape:
            return Query(kind: .countShape, shape: rng.pick(Shape.allCases))
        case .countEither:
            return Query(kind: .countEither, colours: rng.sample(present, count: 2))
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
        default: return "Which colour has the most shapes?"
        }
    }

    private func countStep(_ colour: Colour) -> Step {
        let members = objects.filter { $0.colour == colour }.map(\.shape.rawValue)
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
            let members = objects.filter { $0.shape == shape }.map(\.colour.rawValue)
            return Solution(readings: [], steps: [.count(subject: shape.plural, members: members,
                                                         result: members.count)])
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

    /// Draws each shape centred in its cell.
    func render(size: Int) -> RGBImage {
        var canvas = Canvas(size: size)
        let half = ObjectScene.shapeSize / 2
        for object in objects {
            let cx = (Double(object.cell % 3) + 0.5) * ObjectScene.cellSize + Double(object.dx)
            let cy = (Double(object.cell / 3) + 0.5) * ObjectScene.cellSize + Double(object.dy)
            switch object.shape {
            case .circle:
                canvas.fillCircle(cx: cx, cy: cy, radius: half, colour: object.colour.rgb)
            case .square:
                canvas.fillRect(x0: cx - half + 1, y0: cy - half + 1, x1: cx + half - 1, y1: cy + half - 1,
                                colour: object.colour.rgb)
            case .triangle:
                canvas.fillTriangle(x0: cx - half, y0: cy - half, x1: cx + half, y1: cy + half,
                                    colour: object.colour.rgb)
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
