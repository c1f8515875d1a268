import Foundation
import Yams

/// Reading pipeline documents: YAML or JSON laid over a preset, every key checked against the preset's.
public enum PipelineDocument {
    /// Reads the document at `path` (`.yaml`, `.yml` or `.json`).
    public static func load(path: String) throws -> PipelineDefinition {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw PipelineDefinitionError.unreadable("\(path): \(error.localizedDescription)")
        }
        return try parse(text)
    }

    /// Parses a document (YAML, of which JSON is a subset): its `preset` (default `quick`) with the document's other
    /// keys laid over it, validated.
    public static func parse(_ text: String) throws -> PipelineDefinition {
        let loaded: Any?
        do {
            loaded = try Yams.load(yaml: text)
        } catch {
            throw PipelineDefinitionError.unreadable("not YAML or JSON (\(error))")
        }
        var overrides = [String: Any]()
        if let loaded {
            guard let object = loaded as? [String: Any] else {
                throw PipelineDefinitionError.unreadable("the document must be a mapping of settings")
            }
            overrides = object
        }
        let presetName = overrides.removeValue(forKey: "preset") ?? "quick"
        guard let name = presetName as? String, let preset = PipelinePreset(rawValue: name) else {
            throw PipelineDefinitionError.invalid("preset", "is \(presetName); use one of "
                                                  + PipelinePreset.allCases.map(\.rawValue).joined(separator: ", "))
        }
        let base = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(preset.definition))
        let merged = try overlay(overrides, on: base, path: "")
        let definition: PipelineDefinition
        do {
            definition = try JSONDecoder().decode(
                PipelineDefinition.self, from: try JSONSerialization.data(withJSONObject: merged))
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.dataCorrupted(context) {
            let key = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw PipelineDefinitionError.invalid(key, "has the wrong type or value (\(context.debugDescription))")
        }
        try definition.validate()
        return definition
    }

    /// The preset as a document (what `--print-preset` shows), JSON with sorted keys.
    public static func render(_ definition: PipelineDefinition) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(definition), as: UTF8.self)
    }

    /// `overrides` laid over `base`: mappings merge key by key, anything else replaces; a key `base` lacks is refused.
    private static func overlay(_ overrides: Any, on base: Any, path: String) throws -> Any {
        guard let overrides = overrides as? [String: Any], let base = base as? [String: Any] else {
            return overrides
        }
        var merged = base
        for (key, value) in overrides {
            let keyPath = path.isEmpty ? key : path + "." + key
            guard let old = base[key] else { throw PipelineDefinitionError.unknownKey(keyPath) }
            merged[key] = try overlay(value, on: old, path: keyPath)
        }
        return merged
    }
}
