import Foundation

/// AdamW with decoupled weight decay and bias correction, step for step like `torch.optim.AdamW`
/// (`amsgrad=False`), over a `ParameterStore`'s flat buffers.
public final class AdamW {
    /// Hyper-parameters (the learning rate is passed to each `step`, so that schedules stay pure functions).
    public struct Configuration: Sendable, Equatable {
        /// Exponential decay of the first moment.
        public var beta1: Float = 0.9
        /// Exponential decay of the second moment.
        public var beta2: Float = 0.999
        /// Added to the denominator for stability.
        public var eps: Float = 1e-8
        /// Decoupled weight decay, applied to parameters registered with `decay: true`.
        public var weightDecay: Float = 0.01
        /// torch.optim.AdamW's defaults.
        public init() {}
    }

    /// The hyper-parameters.
    public let configuration: Configuration
    /// Steps taken so far.
    public private(set) var stepCount = 0
    private let m: UnsafeMutablePointer<Float>
    private let v: UnsafeMutablePointer<Float>
    private let store: ParameterStore

    /// An optimizer over every parameter of `store` (register them all first).
    public init(_ store: ParameterStore, configuration: Configuration = Configuration()) {
        self.store = store
        self.configuration = configuration
        m = .allocate(capacity: max(store.count, 1))
        v = .allocate(capacity: max(store.count, 1))
        m.update(repeating: 0, count: store.count)
        v.update(repeating: 0, count: store.count)
    }

    deinit {
        m.deallocate()
        v.deallocate()
    }

    /// Everything `step` carries from one update to the next, for exact resume from a checkpoint.
    public struct State: Sendable, Equatable {
        /// Steps taken (sets the bias correction of the next step).
        public var step: Int
        /// First moments (torch's `exp_avg`), in the store's flat layout (`Parameter.offset`).
        public var firstMoments: [Float]
        /// Second moments (torch's `exp_avg_sq`), in the store's flat layout.
        public var secondMoments: [Float]

        /// A state from its parts.
        public init(step: Int, firstMoments: [Float], secondMoments: [Float]) {
            self.step = step
            self.firstMoments = firstMoments
            self.secondMoments = secondMoments
        }
    }

    /// A copy of the current state.
    public var state: State {
        State(step: stepCount, firstMoments: Array(UnsafeBufferPointer(start: m, count: store.count)),
              secondMoments: Array(UnsafeBufferPointer(start: v, count: store.count)))
    }

    /// Continues from `state` (saved from an optimizer over a store of the same layout): the next `step` is then
    /// bit for bit the step an uninterrupted run would have taken.
    public func restore(_ state: State) {
        precondition(state.step >= 0 && state.firstMoments.count == store.count
                     && state.secondMoments.count == store.count,
                     "AdamW.restore: state for \(state.firstMoments.count) values, store has \(store.count)")
        stepCount = state.step
        m.update(from: state.firstMoments, count: store.count)
        v.update(from: state.secondMoments, count: store.count)
    }

    /// One update with learning rate `lr` from the gradients currently in the store.
    public func step(lr: Float) {
        stepCount += 1
        let c = configuration
        let bc1 = 1 - Float(pow(Double(c.beta1), Double(stepCount)))
        let bc2 = 1 - Float(pow(Double(c.beta2), Double(stepCount)))
        let stepSize = lr / bc1
        let bc2Root = bc2.squareRoot()
        let p = SendablePointer(store.values), g = SendablePointer(store.grads)
        let m = SendablePointer(m), v = SendablePointer(v)
        for (param, decays) in zip(store.parameters, store.decays) {
            let decay: Float = decays ? 1 - lr * c.weightDecay : 1
            let offset = param.offset
            // Every element updates independently, so splitting a parameter across cores changes nothing.
            parallelRanges(param.shape.count) { r in
                for i in (offset + r.lowerBound)..<(offset + r.upperBound) {
                    p.p[i] *= decay
                    m.p[i] = c.beta1 * m.p[i] + (1 - c.beta1) * g.p[i]
                    v.p[i] = c.beta2 * v.p[i] + (1 - c.beta2) * g.p[i] * g.p[i]
                    p.p[i] -= stepSize * m.p[i] / (v.p[i].squareRoot() / bc2Root + c.eps)
                }
            }
        }
    }
}

extension ParameterStore {
    /// The L2 norm of all gradients together (accumulated in Double).
    public func gradientNorm() -> Float {
        var s: Double = 0
        for i in 0..<count { s += Double(grads[i]) * Double(grads[i]) }
        return Float(s.squareRoot())
    }

    /// Scales all gradients so that their global norm is at most `maxNorm` (as `torch.nn.utils.clip_grad_norm_`,
    /// coefficient `maxNorm / (norm + 1e-6)` clamped to 1); returns the norm before clipping.
    @discardableResult
    public func clipGradients(maxNorm: Float) -> Float {
        let norm = gradientNorm()
        let coef = maxNorm / (norm + 1e-6)
        if coef < 1 { for i in 0..<count { grads[i] *= coef } }
        return norm
    }
}

/// Learning rate with linear warmup then cosine decay, as a pure function of the step.
public struct LearningRateSchedule: Sendable, Equatable {
    /// Peak learning rate, reached at the end of warmup.
    public var peak: Float
    /// Floor reached at `totalSteps`.
    public var minimum: Float
    /// Steps of linear warmup from `peak / warmupSteps`.
    public var warmupSteps: Int
    /// Steps after which the rate stays at `minimum`.
    public var totalSteps: Int

    /// A schedule; `warmupSteps` may be 0.
    public init(peak: Float, minimum: Float = 0, warmupSteps: Int, totalSteps: Int) {
        self.peak = peak
        self.minimum = minimum
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
    }

    /// The learning rate for 0-based `step`.
    public func callAsFunction(_ step: Int) -> Float {
        if step < warmupSteps { return peak * Float(step + 1) / Float(warmupSteps) }
        let span = max(totalSteps - warmupSteps, 1)
        let progress = min(Double(step - warmupSteps) / Double(span), 1)
        return minimum + (peak - minimum) * Float(0.5 * (1 + cos(Double.pi * progress)))
    }
}
