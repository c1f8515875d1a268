/// Where two float arrays first differ in their bits, in one line, or nil when they are bit-identical.
///
/// For tests that compare weights or scores bit for bit: `#expect(a == b)` on arrays of 10^5 floats makes the test
/// library compute an edit-script diff of both when they differ, which takes minutes; this says at once how many
/// elements differ and the first of them.
public func bitDifference(_ a: [Float], _ b: [Float]) -> String? {
    guard a.count == b.count else { return "\(a.count) values vs \(b.count)" }
    var first: Int?, count = 0
    for i in a.indices where a[i].bitPattern != b[i].bitPattern {
        count += 1
        if first == nil { first = i }
    }
    guard let first else { return nil }
    return "\(count) of \(a.count) values differ; the first at \(first): \(a[first]) vs \(b[first])"
}
