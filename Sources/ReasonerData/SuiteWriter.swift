import Foundation
import Imaging

/// What a written suite holds; saved as `manifest.json` at its root.
public struct SuiteManifest: Codable, Sendable, Equatable {
    /// The generator's version: files differ between versions, never within one.
    public var generatorVersion: String
    /// The seed (also inside `config`), at the top level for a reader skimming the file.
    public var seed: UInt64
    /// The settings that made the suite (the seed among them).
    public var config: SuiteConfig
    /// Counts per family and set (`train`, `validation`, `test`, `format`, `pretrain`, `drills`).
    public var counts: [String: [String: Int]]
    /// The files, by role.
    public var files: [String: String]

    private enum CodingKeys: String, CodingKey {
        case generatorVersion = "generator_version", seed, config, counts, files
    }
}

/// Writes a suite to a folder: images, split files, training rows, teacher prompts and the manifest.
///
/// Layout: `images/<scene id>.png`; `train.jsonl`, `validation.jsonl`, `test.jsonl` (suite items);
/// `format.jsonl` (LLaVA rows, the paper's set ①: CoT and direct alternating); `format_items.jsonl` (their items);
/// `pretrain.jsonl` (caption rows); `drills.jsonl` (text-only `BaseDrills`: per caption scene a look-up on its caption
/// and one of arithmetic, comparison, counting);
/// `teacher_prompts.json`; `manifest.json`, written last and atomically (a folder without it is incomplete).
public enum SuiteWriter {
    /// Bumped whenever the same config would give different files.
    public static let generatorVersion = "2"

    /// Whether `folder` holds a complete suite of `config` written by this generator version (the manifest is
    /// written last, so a half-written suite has none and is written again).
    public static func holdsSuite(_ config: SuiteConfig, in folder: String) -> Bool {
        guard let data = FileManager.default.contents(atPath: folder + "/manifest.json"),
              let manifest = try? JSONDecoder().decode(SuiteManifest.self, from: data) else { return false }
        return manifest.config == config && manifest.generatorVersion == generatorVersion
    }

    /// Generates and writes the suite; returns its manifest.
    @discardableResult
    public static func write(config: SuiteConfig, to root: String) throws -> SuiteManifest {
        let generator = try SuiteGenerator(config: config)
        let images = root + "/images"
        do {
            try FileManager.default.createDirectory(atPath: images, withIntermediateDirectories: true)
        } catch {
            throw DataError.io(path: images, reason: "cannot create the folder (\(error.localizedDescription))")
        }
        var splits: [Split: [SuiteItem]] = [:]
        var format: [SuiteItem] = [], formatRows: [ConversationRow] = []
        var pretrain: [ConversationRow] = [], drills: [ConversationRow] = []
        var counts: [String: [String: Int]] = [:]
        let teacher = OfflineTeacher(seed: config.seed, errorRate: 0)
        for family in config.families {
            let suite = try generator.generate(family)
            var written = Set<String>()
            func save(_ image: String, _ scene: Scene) throws {
                guard written.insert(image).inserted else { return }
                try PlainFile.write(try PNGCodec.encode(scene.render(size: config.imageSize)), path: root + "/" + image)
            }
            for split in Split.allCases {
                let items = suite.items[split] ?? []
                for item in items { try save(item.image, item.scene) }
                splits[split, default: []] += items
                counts[family.rawValue, default: [:]][split.rawValue] = items.count
            }
            for (i, item) in suite.format.enumerated() {
                try save(item.image, item.scene)
                formatRows.append(i % 2 == 0 ? TrainingRows.cot(item, response: teacher.rationale(for: item).text)
                                             : TrainingRows.direct(item))
            }
            format += suite.format
            for record in suite.pretrain {
                try save("images/\(record.id).png", record.scene)
                pretrain.append(TrainingRows.caption(record))
            }
            drills += Self.drills(suite.pretrain, family: family, seed: config.seed).map { $0.row }
            counts[family.rawValue]?["format"] = suite.format.count
            counts[family.rawValue]?["pretrain"] = suite.pretrain.count
            counts[family.rawValue]?["drills"] = 2 * suite.pretrain.count
        }
        var files: [String: String] = [:]
        for split in Split.allCases {
            files[split.rawValue] = split.rawValue + ".jsonl"
            try RowFiles.writeJSONL(splits[split] ?? [], path: root + "/\(split.rawValue).jsonl")
        }
        let named: [(String, String)] = [("format", "format.jsonl"), ("format_items", "format_items.jsonl"),
                                         ("pretrain", "pretrain.jsonl"), ("drills", "drills.jsonl"),
                                         ("teacher_prompts", "teacher_prompts.json"), ("images", "images")]
        for (role, name) in named { files[role] = name }
        try RowFiles.writeJSONL(formatRows, path: root + "/format.jsonl")
        try RowFiles.writeJSONL(format, path: root + "/format_items.jsonl")
        try RowFiles.writeJSONL(pretrain, path: root + "/pretrain.jsonl")
        try RowFiles.writeJSONL(drills, path: root + "/drills.jsonl")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        try RowFiles.write(try encoder.encode(TeacherPrompt.all), path: root + "/teacher_prompts.json")
        let manifest = SuiteManifest(generatorVersion: generatorVersion, seed: config.seed, config: config, counts: counts, files: files)
        try RowFiles.write(try encoder.encode(manifest), path: root + "/manifest.json")
        return manifest
    }

    /// The drills of a family's caption scenes: per scene a look-up on its caption and one scene-free drill (in
    /// turn arithmetic, comparison, counting), each with its row id. What `drills.jsonl` holds, without writing it.
    public static func drills(_ pretrain: [SceneRecord], family: Family,
                              seed: UInt64) -> [(drill: Drill, row: ConversationRow)] {
        var rng = SeededGenerator(seed: seed, stream: "drills/\(family.rawValue)")
        let sceneFree: [DrillKind] = [.arithmetic, .comparison, .counting]
        var out: [(drill: Drill, row: ConversationRow)] = []
        for (i, record) in pretrain.enumerated() {
            let lookup = BaseDrills.lookup(record.scene, rng: &rng)
            let kind = sceneFree[i % sceneFree.count]
            let other = BaseDrills.draw(kind, scene: nil, rng: &rng)
            out.append((lookup, lookup.row(id: record.id + "-lookup")))
            out.append((other, other.row(id: record.id + "-\(kind.rawValue)")))
        }
        return out
    }

    /// Finds an item by id in a written suite's split and format files.
    public static func item(id: String, root: String) throws -> SuiteItem {
        for name in Split.allCases.map({ "\($0.rawValue).jsonl" }) + ["format_items.jsonl"] {
            let path = root + "/" + name
            guard FileManager.default.fileExists(atPath: path) else { continue }
            let batch = try RowFiles.read(SuiteItem.self, path: path)
            if let item = batch.rows.first(where: { $0.id == id }) { return item }
        }
        throw DataError.unknownItem(id: id, root: root)
    }
}
