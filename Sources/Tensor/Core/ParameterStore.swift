/// A handle to one named parameter inside a `ParameterStore` (an offset and a shape in its flat buffers).
public struct Parameter: Sendable, Hashable {
    /// Position in the store's list of parameters.
    public let index: Int
    /// First element in the flat value and gradient buffers.
    public let offset: Int
    /// The parameter's shape.
    public let shape: Shape
}

/// All trainable parameters of a model in one flat value buffer and one flat gradient buffer, in registration
/// order, so that the optimizer, gradient clipping and checkpointing are single loops over contiguous memory.
///
/// A store is owned by one training loop at a time (it hands out raw pointers), hence not `Sendable`.
public final class ParameterStore {
    /// Parameter names in registration order, e.g. `layers.0.attn.q_proj.weight`.
    public private(set) var names: [String] = []
    /// Parameter handles in registration order.
    public private(set) var parameters: [Parameter] = []
    /// Whether AdamW applies weight decay to each parameter (false for norms, biases and embeddings by convention).
    public private(set) var decays: [Bool] = []
    /// Total number of scalars.
    public private(set) var count = 0
    private var capacity = 0
    /// The flat value buffer (`count` floats).
    public private(set) var values: UnsafeMutablePointer<Float>
    /// The flat gradient buffer (`count` floats); backward passes accumulate into it.
    public private(set) var grads: UnsafeMutablePointer<Float>
    private var byName: [String: Int] = [:]

    /// An empty store.
    public init() {
        values = .allocate(capacity: 16)
        grads = .allocate(capacity: 16)
        capacity = 16
    }

    deinit {
        values.deallocate()
        grads.deallocate()
    }

    /// Registers a parameter of `shape` filled by `initialValue(i)`; names must be unique. Register every
    /// parameter before building a graph: growing the store moves its buffers.
    @discardableResult
    public func register(_ name: String, shape: Shape, decay: Bool = true,
                         initialValue: (Int) -> Float) -> Parameter {
        precondition(byName[name] == nil, "parameter \(name) registered twice")
        let n = shape.count
        if count + n > capacity {
            var newCapacity = capacity
            while newCapacity < count + n { newCapacity *= 2 }
            let nv = UnsafeMutablePointer<Float>.allocate(capacity: newCapacity)
            let ng = UnsafeMutablePointer<Float>.allocate(capacity: newCapacity)
            nv.update(from: values, count: count)
            ng.update(from: grads, count: count)
            values.deallocate()
            grads.deallocate()
            values = nv
            grads = ng
            capacity = newCapacity
        }
        for i in 0..<n {
            values[count + i] = initialValue(i)
            grads[count + i] = 0
        }
        let p = Parameter(index: parameters.count, offset: count, shape: shape)
        byName[name] = p.index
        names.append(name)
        parameters.append(p)
        decays.append(decay)
        count += n
        return p
    }

    /// The parameter called `name`, if any.
    public func parameter(named name: String) -> Parameter? { byName[name].map { parameters[$0] } }

    /// The values of `p` (valid until the next `register`).
    public func value(_ p: Parameter) -> UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: values + p.offset, count: p.shape.count)
    }

    /// The gradient of `p` (valid until the next `register`).
    public func grad(_ p: Parameter) -> UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: grads + p.offset, count: p.shape.count)
    }

    /// Sets every gradient to zero (call once per optimizer step; backward passes in between accumulate).
    public func zeroGrads() { grads.update(repeating: 0, count: count) }
}
