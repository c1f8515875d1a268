/// A chunked bump allocator of `Float`s (or `Int32`s) reused across training steps: `reset()` rewinds it, and
/// because a step asks for the same sizes in the same order every time, the steady state allocates nothing.
/// Chunks never move, so pointers stay valid until the next `reset()`.
final class Arena<Element: BitwiseCopyable> {
    private var chunks: [(pointer: UnsafeMutablePointer<Element>, capacity: Int)] = []
    private var chunkIndex = 0
    private var offset = 0
    private let chunkSize: Int

    init(chunkSize: Int = 1 << 22) { self.chunkSize = chunkSize }

    deinit { for c in chunks { c.pointer.deallocate() } }

    /// `count` uninitialised elements, 16-element aligned, valid until the next `reset()`.
    func allocate(_ count: Int) -> UnsafeMutablePointer<Element> {
        let n = (max(count, 1) + 15) & ~15
        while chunkIndex < chunks.count {
            if offset + n <= chunks[chunkIndex].capacity {
                let p = chunks[chunkIndex].pointer + offset
                offset += n
                return p
            }
            chunkIndex += 1
            offset = 0
        }
        let capacity = max(chunkSize, n)
        let p = UnsafeMutablePointer<Element>.allocate(capacity: capacity)
        chunks.append((p, capacity))
        chunkIndex = chunks.count - 1
        offset = n
        return p
    }

    /// Rewinds to the start; every pointer handed out before becomes invalid.
    func reset() {
        chunkIndex = 0
        offset = 0
    }

    /// Total elements held (for diagnostics).
    var capacity: Int { chunks.reduce(0) { $0 + $1.capacity } }
}
