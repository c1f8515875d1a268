import Foundation

/// Errors reading or writing safetensors files.
public enum SafetensorsError: Error, CustomStringConvertible, Equatable {
    /// The file is shorter than its header claims; re-export or re-download it.
    case truncated(String)
    /// The JSON header is malformed; the file was not written by a safetensors writer.
    case badHeader(String)
    /// A tensor uses a dtype this reader does not support (F32, I64, I32 only); convert it when exporting.
    case unsupportedDType(name: String, dtype: String)
    /// A requested tensor is absent; check the name against the file's keys.
    case missingTensor(String)
    /// A tensor has a different dtype or shape than requested.
    case mismatch(String)

    /// A message that says what to do.
    public var description: String {
        switch self {
        case .truncated(let s): "safetensors file truncated: \(s); re-export the file"
        case .badHeader(let s): "safetensors header malformed: \(s); the file must come from a safetensors writer"
        case let .unsupportedDType(n, d): "tensor \(n) has dtype \(d); export it as F32, I64 or I32"
        case .missingTensor(let n): "tensor \(n) not in the safetensors file; check the parameter names"
        case .mismatch(let s): "safetensors tensor mismatch: \(s)"
        }
    }
}

/// One tensor of a safetensors file.
public enum SafeTensor: Sendable, Equatable {
    /// F32 data.
    case f32([Float], shape: [Int])
    /// I64 data.
    case i64([Int64], shape: [Int])
    /// I32 data.
    case i32([Int32], shape: [Int])

    /// The tensor's shape.
    public var shape: [Int] {
        switch self { case .f32(_, let s), .i64(_, let s), .i32(_, let s): s }
    }

    /// The data as floats (integers converted), for convenience in tests and loaders.
    public var floats: [Float] {
        switch self {
        case .f32(let d, _): d
        case .i64(let d, _): d.map { Float($0) }
        case .i32(let d, _): d.map { Float($0) }
        }
    }

    /// The data as Int32 (floats truncated).
    public var int32s: [Int32] {
        switch self {
        case .f32(let d, _): d.map { Int32($0) }
        case .i64(let d, _): d.map { Int32(truncatingIfNeeded: $0) }
        case .i32(let d, _): d
        }
    }
}

/// The safetensors format: 8-byte little-endian header length, a JSON header
/// `{name: {dtype, shape, data_offsets}}` with optional `__metadata__`, then the raw little-endian data.
public enum Safetensors {
    /// Parses safetensors bytes into named tensors and the metadata map.
    public static func decode(_ data: Data) throws -> (tensors: [String: SafeTensor], metadata: [String: String]) {
        guard data.count >= 8 else { throw SafetensorsError.truncated("\(data.count) bytes, need at least 8") }
        let bytes = [UInt8](data)
        var headerLength = 0
        for i in 0..<8 { headerLength |= Int(bytes[i]) << (8 * i) }
        guard headerLength >= 0, 8 + headerLength <= bytes.count else {
            throw SafetensorsError.truncated("header length \(headerLength) exceeds file size \(bytes.count)")
        }
        let json = try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + headerLength)]))
        guard let header = json as? [String: Any] else { throw SafetensorsError.badHeader("not a JSON object") }
        let base = 8 + headerLength
        var tensors: [String: SafeTensor] = [:]
        var metadata: [String: String] = [:]
        for (name, entry) in header {
            if name == "__metadata__" {
                metadata = (entry as? [String: String]) ?? [:]
                continue
            }
            guard let e = entry as? [String: Any], let dtype = e["dtype"] as? String,
                  let shape = e["shape"] as? [Int], let offsets = e["data_offsets"] as? [Int], offsets.count == 2
            else { throw SafetensorsError.badHeader("entry \(name) lacks dtype, shape or data_offsets") }
            let start = base + offsets[0], end = base + offsets[1]
            guard start <= end, end <= bytes.count else {
                throw SafetensorsError.truncated("tensor \(name) ends at \(end) of \(bytes.count)")
            }
            let count = shape.reduce(1, *)
            func load<T: FixedWidthInteger>(_: T.Type) throws -> [T] {
                guard end - start == count * MemoryLayout<T>.size else {
                    throw SafetensorsError.badHeader("tensor \(name): \(end - start) bytes for shape \(shape)")
                }
                return (0..<count).map { i in
                    var x: T = 0
                    for b in 0..<MemoryLayout<T>.size { x |= T(truncatingIfNeeded: bytes[start + i * MemoryLayout<T>.size + b]) << (8 * b) }
                    return x
                }
            }
            switch dtype {
            case "F32": tensors[name] = .f32(try load(UInt32.self).map { Float(bitPattern: $0) }, shape: shape)
            case "I64": tensors[name] = .i64(try load(Int64.self), shape: shape)
            case "I32": tensors[name] = .i32(try load(Int32.self), shape: shape)
            default: throw SafetensorsError.unsupportedDType(name: name, dtype: dtype)
            }
        }
        return (tensors, metadata)
    }

    /// Reads a safetensors file.
    public static func read(_ url: URL) throws -> (tensors: [String: SafeTensor], metadata: [String: String]) {
        try decode(Data(contentsOf: url))
    }

    /// Serialises named tensors (sorted by name, data 8-byte aligned as the reference writer pads the header).
    public static func encode(_ tensors: [String: SafeTensor], metadata: [String: String] = [:]) throws -> Data {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var body = [UInt8]()
        func append<T: FixedWidthInteger>(_ values: [T]) {
            for v in values { for b in 0..<MemoryLayout<T>.size { body.append(UInt8(truncatingIfNeeded: v >> (8 * b))) } }
        }
        for name in tensors.keys.sorted() {
            let t = tensors[name]!
            let start = body.count
            let dtype: String
            switch t {
            case .f32(let d, _): dtype = "F32"; append(d.map(\.bitPattern))
            case .i64(let d, _): dtype = "I64"; append(d)
            case .i32(let d, _): dtype = "I32"; append(d)
            }
            header[name] = ["dtype": dtype, "shape": t.shape, "data_offsets": [start, body.count]] as [String: Any]
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }
        var out = Data()
        var n = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &n) { out.append(contentsOf: $0) }
        out.append(json)
        out.append(contentsOf: body)
        return out
    }

    /// Writes a safetensors file atomically.
    public static func write(_ tensors: [String: SafeTensor], metadata: [String: String] = [:], to url: URL) throws {
        try encode(tensors, metadata: metadata).write(to: url, options: .atomic)
    }
}

extension ParameterStore {
    /// Every parameter as an F32 tensor under its name (for checkpoints).
    public func namedTensors() -> [String: SafeTensor] {
        var out: [String: SafeTensor] = [:]
        for (name, p) in zip(names, parameters) { out[name] = .f32(Array(value(p)), shape: p.shape.dims) }
        return out
    }

    /// Copies values from `tensors` into the parameters of the same names; every parameter must be present with
    /// the same number of elements.
    public func load(_ tensors: [String: SafeTensor]) throws {
        for (name, p) in zip(names, parameters) {
            guard let t = tensors[name] else { throw SafetensorsError.missingTensor(name) }
            let f = t.floats
            guard f.count == p.shape.count else {
                throw SafetensorsError.mismatch("\(name): file has shape \(t.shape), model expects \(p.shape)")
            }
            let dst = value(p)
            for i in 0..<f.count { dst[i] = f[i] }
        }
    }
}
