import CAMQP

/// A value in an AMQP field table (message headers, queue arguments), as far as Reasoner reads or writes them.
public indirect enum AMQPFieldValue: Sendable, Equatable {
    /// A string.
    case string(String)
    /// A signed integer (written as a 64-bit `l`).
    case integer(Int64)
    /// A boolean.
    case boolean(Bool)
    /// A nested table.
    case table([String: AMQPFieldValue])
    /// An array.
    case array([AMQPFieldValue])
    /// Bytes that are not UTF-8, or a kind Reasoner does not interpret (floats, decimals, timestamps).
    case other(String)

    /// The string, if this is one.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The integer, if this is one.
    public var integerValue: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }
}

/// Builds `amqp_table_t`s from Swift values, owning every byte the C structures point to until it is released.
final class AMQPTableBuilder {
    private var allocations: [UnsafeMutableRawPointer] = []

    deinit {
        for allocation in allocations { free(allocation) }
    }

    func bytes(_ text: String) -> amqp_bytes_t {
        let utf8 = Array(text.utf8)
        guard !utf8.isEmpty else { return amqp_empty_bytes }
        let memory = malloc(utf8.count)!
        allocations.append(memory)
        memory.copyMemory(from: utf8, byteCount: utf8.count)
        return amqp_bytes_t(len: utf8.count, bytes: memory)
    }

    func bytes(_ data: [UInt8]) -> amqp_bytes_t {
        guard !data.isEmpty else { return amqp_empty_bytes }
        let memory = malloc(data.count)!
        allocations.append(memory)
        memory.copyMemory(from: data, byteCount: data.count)
        return amqp_bytes_t(len: data.count, bytes: memory)
    }

    /// A table of the values Reasoner writes (strings, integers, booleans, nested tables), keys sorted.
    func table(_ values: [String: AMQPFieldValue]) -> amqp_table_t {
        guard !values.isEmpty else { return amqp_empty_table }
        let entries = UnsafeMutablePointer<amqp_table_entry_t>.allocate(capacity: values.count)
        allocations.append(UnsafeMutableRawPointer(entries))
        for (index, (key, value)) in values.sorted(by: { $0.key < $1.key }).enumerated() {
            let name = bytes(key)
            switch value {
            case .string(let text): entries[index] = reasoner_amqp_entry_string(name, bytes(text))
            case .integer(let number): entries[index] = reasoner_amqp_entry_i64(name, number)
            case .boolean(let flag): entries[index] = reasoner_amqp_entry_bool(name, flag ? 1 : 0)
            case .table(let nested): entries[index] = reasoner_amqp_entry_table(name, table(nested))
            case .array, .other:
                preconditionFailure("AMQPTableBuilder writes strings, integers, booleans and tables only")
            }
        }
        return amqp_table_t(num_entries: Int32(values.count), entries: entries)
    }
}

/// Reads C field tables into Swift values.
enum AMQPTableReader {
    static func string(_ bytes: amqp_bytes_t) -> String {
        guard bytes.len > 0, let pointer = bytes.bytes else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: pointer, count: bytes.len), as: UTF8.self)
    }

    static func data(_ bytes: amqp_bytes_t) -> [UInt8] {
        guard bytes.len > 0, let pointer = bytes.bytes else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: bytes.len))
    }

    static func table(_ table: amqp_table_t) -> [String: AMQPFieldValue] {
        var result: [String: AMQPFieldValue] = [:]
        for index in 0..<Int(table.num_entries) {
            let entry = table.entries[index]
            result[string(entry.key)] = value(entry.value)
        }
        return result
    }

    static func value(_ field: amqp_field_value_t) -> AMQPFieldValue {
        switch Int(field.kind) {
        case Int(AMQP_FIELD_KIND_UTF8.rawValue), Int(AMQP_FIELD_KIND_BYTES.rawValue):
            return .string(string(field.value.bytes))
        case Int(AMQP_FIELD_KIND_BOOLEAN.rawValue): return .boolean(field.value.boolean != 0)
        case Int(AMQP_FIELD_KIND_I8.rawValue): return .integer(Int64(field.value.i8))
        case Int(AMQP_FIELD_KIND_U8.rawValue): return .integer(Int64(field.value.u8))
        case Int(AMQP_FIELD_KIND_I16.rawValue): return .integer(Int64(field.value.i16))
        case Int(AMQP_FIELD_KIND_U16.rawValue): return .integer(Int64(field.value.u16))
        case Int(AMQP_FIELD_KIND_I32.rawValue): return .integer(Int64(field.value.i32))
        case Int(AMQP_FIELD_KIND_U32.rawValue): return .integer(Int64(field.value.u32))
        case Int(AMQP_FIELD_KIND_I64.rawValue): return .integer(field.value.i64)
        case Int(AMQP_FIELD_KIND_U64.rawValue), Int(AMQP_FIELD_KIND_TIMESTAMP.rawValue):
            return .integer(Int64(bitPattern: field.value.u64))
        case Int(AMQP_FIELD_KIND_TABLE.rawValue): return .table(table(field.value.table))
        case Int(AMQP_FIELD_KIND_ARRAY.rawValue):
            let array = field.value.array
            return .array((0..<Int(array.num_entries)).map { value(array.entries[$0]) })
        default: return .other("kind \(field.kind)")
        }
    }
}
