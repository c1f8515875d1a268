/// The settings of one suite.
public struct SuiteConfig: Codable, Sendable, Equatable {
    /// The seed; the same config gives byte-identical files.
    public var seed: UInt64 = 0
    /// Image side in pixels (scenes are laid out on a 64-unit grid and scaled).
    public var imageSize: Int = 64
    /// The families to generate.
    public var families: [Family] = Family.allCases
    /// How hard the scenes and questions are.
    public var difficulty: Difficulty = .medium
    /// Scenes per family in the training split.
    public var train: Int = 2000
    /// Scenes per family in the validation split.
    public var validation: Int = 200
    /// Scenes per family in the test split.
    public var test: Int = 400
    /// Questions asked of each scene of the three splits.
    public var questionsPerScene: Int = 1
    /// Format-set items per family (half chain-of-thought, half direct), the paper's set ①.
    public var formatPerFamily: Int = 40
    /// Caption scenes per family for pretraining a student to see.
    public var pretrainPerFamily: Int = 2000

    /// The default suite.
    public init() {}

    private enum CodingKeys: String, CodingKey {
        case seed, imageSize = "image_size", families, difficulty, train, validation, test,
             questionsPerScene = "questions_per_scene", formatPerFamily = "format_per_family",
             pretrainPerFamily = "pretrain_per_family"
    }

    /// Rejects settings the generator cannot honour.
    public func validate() throws {
        guard imageSize >= 32, imageSize <= 1024 else {
            throw DataError.invalidConfiguration("image size \(imageSize) must be within 32...1024 pixels")
        }
        guard [train, validation, test, formatPerFamily, pretrainPerFamily].allSatisfy({ $0 >= 0 }) else {
            throw DataError.invalidConfiguration("counts must not be negative")
        }
        guard questionsPerScene >= 1, questionsPerScene <= 8 else {
            throw DataError.invalidConfiguration("questions per scene \(questionsPerScene) must be within 1...8")
        }
        guard !families.isEmpty else { throw DataError.invalidConfiguration("name at least one family") }
    }
}

/// A scene drawn for a set, before questions are asked of it.
public struct SceneRecord: Sendable, Equatable {
    /// `<family>-<set>-<index>`, also the image's file stem.
    public var id: String
    /// The scene.
    public var scene: Scene
}

/// One family's share of a suite: items per split, the format set and the caption scenes.
public struct FamilySuite: Sendable {
    /// The family.
    public var family: Family
    /// Items of the train, validation and test splits.
    public var items: [Split: [SuiteItem]]
    /// The format set (training data; items alternate chain-of-thought and direct use).
    public var format: [SuiteItem]
    /// Scenes for caption pretraining (never shared with validation or test).
    public var pretrain: [SceneRecord]
}

/// Draws the synthetic suite deterministically.
///
/// Each family has its own random stream of scenes; sets are drawn test first, then validation, train, format and
/// pretrain, so the test set stays the same when the training set grows. Each question has its own stream, named by
/// its item id. Every scene is unique across all sets of a family, so
/// splits never share a scene.
public struct SuiteGenerator: Sendable {
    /// The settings.
    public let config: SuiteConfig

    /// A generator for a validated config.
    public init(config: SuiteConfig) throws {
        try config.validate()
        self.config = config
    }

    /// Draws one family's share of the suite.
    public func generate(_ family: Family) throws -> FamilySuite {
        var rng = SeededGenerator(seed: config.seed, stream: "suite/\(family.rawValue)")
        var seen = Set<String>()
        var result = FamilySuite(family: family, items: [:], format: [], pretrain: [])
        for split in [Split.test, .validation, .train] {
            let count = split == .test ? config.test : split == .validation ? config.validation : config.train
            let scenes = try drawScenes(family, set: split.rawValue, count: count, rng: &rng, seen: &seen)
            result.items[split] = scenes.flatMap { record in
                var asked: [Query] = []
                return (0..<config.questionsPerScene).map { k in
                    item(record, split: split, suffix: config.questionsPerScene > 1 ? "-\(k)" : "", asked: &asked)
                }
            }
        }
        let formatScenes = try drawScenes(family, set: "format", count: config.formatPerFamily, rng: &rng, seen: &seen)
        result.format = formatScenes.map { record in
            var asked: [Query] = []
            return item(record, split: .train, suffix: "", asked: &asked)
        }
        result.pretrain = try drawScenes(family, set: "pretrain", count: config.pretrainPerFamily, rng: &rng,
                                         seen: &seen)
        return result
    }

    private func drawScenes(_ family: Family, set: String, count: Int, rng: inout SeededGenerator,
                            seen: inout Set<String>) throws -> [SceneRecord] {
        var records: [SceneRecord] = []
        records.reserveCapacity(count)
        for index in 0..<count {
            var attempts = 0
            while true {
                let scene = Scene.random(family, &rng, difficulty: config.difficulty)
                if seen.insert(String(describing: scene)).inserted {
                    records.append(SceneRecord(id: "\(family.rawValue)-\(set)-\(Self.pad(index))", scene: scene))
                    break
                }
                attempts += 1
                if attempts >= 2000 {
                    throw DataError.sceneSpaceExhausted(family: family, difficulty: config.difficulty,
                                                        made: seen.count)
                }
            }
        }
        return records
    }

    static func pad(_ index: Int) -> String {
        let digits = String(index)
        return String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }

    /// Asks one question of a scene (a new one when the scene's few question kinds allow) and solves it. The
    /// question has its own random stream, named by the item id, so it depends on the seed and the scene only.
    private func item(_ record: SceneRecord, split: Split, suffix: String, asked: inout [Query]) -> SuiteItem {
        var rng = SeededGenerator(seed: config.seed, stream: "question/\(record.id)\(suffix)")
        let scene = record.scene
        var query = scene.randomQuery(&rng, difficulty: config.difficulty)
        for _ in 0..<16 where asked.contains(query) {
            query = scene.randomQuery(&rng, difficulty: config.difficulty)
        }
        asked.append(query)
        let solution = scene.solve(query)
        var choices: [String]?
        var answerType: AnswerType = Int(solution.final) == nil ? .word : .number
        if scene.family == .choice {
            choices = Self.options(for: solution, scene: scene, rng: &rng)
            answerType = .multipleChoice
        }
        return SuiteItem(
            id: record.id + suffix, image: "images/\(record.id).png", question: scene.question(query),
            answer: AnswerFormat.answer(final: solution.final, choices: choices) ?? solution.final,
            answerType: answerType, family: scene.family, choices: choices, split: split,
            difficulty: config.difficulty, scene: scene, query: query, solution: solution)
    }

    /// Four options holding the right value: a run of four numbers for counts, other colours for "which colour".
    static func options(for solution: Solution, scene: Scene, rng: inout SeededGenerator) -> [String] {
        var options: [String]
        if let value = Int(solution.final) {
            // Four consecutive numbers holding the value at a random place, so the answer's rank among the options
            // gives nothing away (except near 0, where the run cannot start below 0).
            let start = value - rng.int(in: 0...min(3, value))
            options = (start..<(start + 4)).map(String.init)
        } else {
            var present: [String] = []
            if case .choice(let objects) = scene { present = objects.colours.map(\.rawValue) }
            let others = present.filter { $0 != solution.final }
            let rest = Colour.allCases.map(\.rawValue).filter { $0 != solution.final && !present.contains($0) }
            options = [solution.final] + Array((rng.sample(others, count: others.count)
                                               + rng.sample(rest, count: rest.count)).prefix(3))
        }
        rng.shuffle(&options)
        return options
    }
}
