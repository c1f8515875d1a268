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

    /// The size of dimension `i` (negative indices count from the end).
    public subscript(_ i: Int) -> Int {
        let j = i < 0 ? rank + i : i
        precondition(j >= 0 && j < rank, "dimension \(i) out of range for \(self)")
        switch j { case 0: return d0; case 1: return d1; case 2: return d2; default: return d3 }
    }

    /// The dimensions as an array.
    public var dims: [Int] { (0..<rank).map { self[$0] } }

    /// The number of elements.
    public var count: Int { rank == 0 ? 1 : (0..<rank).reduce(1) { $0 * self[$1] } }

    /// The size of the last dimension (1 for a scalar).
    public var last: Int { rank == 0 ? 1 : self[rank - 1] }

    /// The number of rows when the tensor is seen as `rows x last`.
    public var rows: Int { last == 0 ? 0 : count / last }

    /// Human-readable form, e.g. `[2, 3, 4]`.
    public var description: String { "\(dims)" }
}
