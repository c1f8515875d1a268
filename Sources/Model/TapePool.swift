import Synchronization
import Tensor

/// Tapes kept between inference calls (generation, scoring) so that their arenas — sized by the largest batch seen —
/// are reused instead of being allocated and faulted in afresh on every call (a quarter of the scoring time
/// otherwise). Holds at most one tape per concurrent caller; the memory stays with the model.
final class TapePool: Sendable {
    /// A tape handed between threads. `@unchecked Sendable`: a tape is used by one caller at a time — it is either
    /// in the pool or lent to exactly one `withTape` body.
    private struct Lent: @unchecked Sendable {
        let tape: Tape
    }

    private let idle = Mutex<[Lent]>([])

    /// Runs `body` with a reset tape over `parameters`, then keeps the tape for the next caller.
    func withTape<Result, Failure: Error>(_ parameters: ParameterStore,
                                          _ body: (Tape) throws(Failure) -> Result) throws(Failure) -> Result {
        let lent = idle.withLock { $0.popLast() }?.tape ?? Tape(parameters: parameters)
        precondition(lent.parameters === parameters, "TapePool: one pool per parameter store")
        lent.reset()
        defer {
            lent.reset()
            let returned = Lent(tape: lent)
            idle.withLock { $0.append(returned) }
        }
        return try body(lent)
    }
}
