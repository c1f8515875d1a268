/// A tensor shape of rank 0 to 4, stored inline so that building a graph never allocates for shapes.
public struct Shape: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The number of dimensions.
    public let rank: Int
    private let d0, d1, d2, d3: Int

    /// A shape from up to four dimensions.
    public init(_ dims: Int...) { self.init(dims: dims) }

    /// A shape from an array of up to four dimensions.
    public init(dims: [Int]) {
        precondition(dims.count <= 4, "Shape supports rank <= 4, got \(dims)")
        precondition(dims.allSatisfy { $0 >= 0 }, "Shape dimensions must be >= 0, got \(dims)")
        rank = dims.count
        d0 = dims.count > 0 ? dims[0] : 1
        d1 = dims.count > 1 ? dims[1] : 1
        d2 = dims.count > 2 ? dims[2] : 1
        d3 = dims.count > 3 ? dims[3] : 1
    }

    private init(rank: Int, _ d0: Int, _ d1: Int, _ d2: Int, _ d3: Int) {
        self.rank = rank
        self.d0 = d0
        self.d1 = d1
        self.d2 = d2
        self.d3 = d3
    }

    /// The same shape with the last dimension set to `n` (no array is built: ops call this per step).
    public func replacingLast(_ n: Int) -> Shape {
        precondition(rank > 0, "replacingLast on a scalar shape")
        switch rank {
        case 1: return Shape(rank: 1, n, 1, 1, 1)
        case 2: return Shape(rank: 2, d0, n, 1, 1)
        case 3: return Shape(rank: 3, d0, d1, n, 1)
        default: return Shape(rank: 4, d0, d1, d2, n)
        }
    }

    /// The shape with one more trailing dimension `n`.
    public func appending(_ n: Int) -> Shape {
        precondition(rank < 4, "Shape supports rank <= 4, cannot append to \(self)")
        switch rank {
        case 0: return Shape(rank: 1, n, 1, 1, 1)
        case 1: return Shape(rank: 2, d0, n, 1, 1)
        case 2: return Shape(rank: 3, d0, d1, n, 1)
        default: return Shape(rank: 4, d0, d1, d2, n)
        }
    }

    /// The shape with its last two dimensions swapped.
    public func swappingLast2() -> Shape {
        precondition(rank >= 2, "swappingLast2 needs rank >= 2, got \(self)")
        switch rank {
        case 2: return Shape(rank: 2, d1, d0, 1, 1)
        case 3: return Shape(rank: 3, d0, d2, d1, 1)
        default: return Shape(rank: 4, d0, d1, d3, d2)
        }
    }

    /// The size of dimension `i` (negative indices count from the end).
    public subscript(_ i: Int) -> Int {
        let j = i < 0 ? rank + i : i
        precondition(j >= 0 && j < rank, "dimension \(i) out of range for \(self)")
        switch j { case 0: return d0; case 1: return d1; case 2: return d2; default: return d3 }
    }

    /// The dimensions as an array.
    public var dims: [Int] { (0..<rank).map { self[$0] } }

    /// The number of elements.
    public var count: Int { d0 * d1 * d2 * d3 }

    /// The size of the last dimension (1 for a scalar).
    public var last: Int { rank == 0 ? 1 : self[rank - 1] }

    /// The number of rows when the tensor is seen as `rows x last`.
    public var rows: Int { last == 0 ? 0 : count / last }

    /// Human-readable form, e.g. `[2, 3, 4]`.
    public var description: String { "\(dims)" }
}
