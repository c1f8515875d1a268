import ArgumentParser
import Foundation
import Imaging
import ReasonerData

/// `reasoner data`: the synthetic visual-reasoning suite, and real data in and out.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Generate and inspect the synthetic suite; import real rows and export them for other trainers.",
        subcommands: [DataGenerate.self, DataShow.self, DataImport.self, DataExport.self]
    )
}

/// `reasoner data generate`: writes a suite to a folder.
struct DataGenerate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write the suite (images, splits, format set, captions, drills, manifest) to a folder."
    )

    @Option(name: .shortAndLong, help: "The folder to write (created if missing).")
    var output: String

    @Option(help: "The seed; the same options give byte-identical files.")
    var seed: UInt64 = 0

    @Option(help: "Image side in pixels (32...1024).")
    var size: Int = 64

    @Option(help: "Comma-separated families (chart,counting,choice,reading,math).")
    var families: String = Family.allCases.map(\.rawValue).joined(separator: ",")

    @Option(help: "easy, medium or hard.")
    var difficulty: String = Difficulty.medium.rawValue

    @Option(help: "Training scenes per family.")
    var train: Int = 2000

    @Option(help: "Validation scenes per family.")
    var validation: Int = 200

    @Option(help: "Test scenes per family.")
    var test: Int = 400

    @Option(help: "Questions asked of each scene of the splits (1...8).")
    var questionsPerScene: Int = 1

    @Option(help: "Format-set items per family (half CoT, half direct).")
    var formatPerFamily: Int = 40

    @Option(help: "Caption-pretraining scenes per family (each also gives two text-only drills: a look-up on its caption and one of arithmetic, comparison, counting).")
    var pretrainPerFamily: Int = 2000

    func validate() throws {
        guard Difficulty(rawValue: difficulty) != nil else {
            throw ValidationError("--difficulty must be easy, medium or hard, not \(difficulty)")
        }
        for name in families.split(separator: ",") where Family(rawValue: String(name)) == nil {
            throw ValidationError("unknown family \(name); use chart, counting, choice, reading or math")
        }
    }

    func run() throws {
        var config = SuiteConfig()
        config.seed = seed
        config.imageSize = size
        config.families = families.split(separator: ",").compactMap { Family(rawValue: String($0)) }
        config.difficulty = Difficulty(rawValue: difficulty) ?? .medium
        config.train = train
        config.validation = validation
        config.test = test
        config.questionsPerScene = questionsPerScene
        config.formatPerFamily = formatPerFamily
        config.pretrainPerFamily = pretrainPerFamily
        let start = Date()
        let manifest = try SuiteWriter.write(config: config, to: output)
        let seconds = Date().timeIntervalSince(start)
        for family in config.families.map(\.rawValue) {
            let counts = manifest.counts[family] ?? [:]
            print(family + ": " + counts.keys.sorted().map { "\($0) \(counts[$0] ?? 0)" }.joined(separator: ", "))
        }
        print("wrote \(output) in \(String(format: "%.1f", seconds)) s (generator v\(manifest.generatorVersion))")
    }
}

/// `reasoner data show ID`: prints an item, its caption and its reference rationale.
struct DataShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print an item of a written suite (and optionally write its image)."
    )

    @Argument(help: "The item id, e.g. chart-test-000012.")
    var id: String

    @Option(help: "The suite folder.")
    var root: String = "."

    @Option(help: "Also write the item's image (re-rendered from its scene) to this PNG path.")
    var image: String?

    @Option(help: "Image side for --image, in pixels.")
    var size: Int = 64

    @Option(help: "Also print the offline teacher's rationale at this error rate (0...1).")
    var teacherErrorRate: Double?

    @Option(help: "Seed of the offline teacher's wording and errors.")
    var teacherSeed: UInt64 = 0

    func validate() throws {
        if let rate = teacherErrorRate, !(0...1).contains(rate) {
            throw ValidationError("--teacher-error-rate must be within 0...1, not \(rate)")
        }
    }

    func run() throws {
        let item = try SuiteWriter.item(id: id, root: root)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(item), as: UTF8.self))
        print("\nprompt (cot):\n" + StudentPrompt.text(for: item, mode: .cot))
        print("\nreference rationale:\n" + OfflineTeacher.reference(for: item))
        print("\nintermediate values: " + item.solution.intermediates.joined(separator: ", "))
        if let rate = teacherErrorRate {
            let rationale = OfflineTeacher(seed: teacherSeed, errorRate: rate).rationale(for: item)
            print("\nteacher rationale (\(rationale.error?.rawValue ?? "no error")):\n" + rationale.text)
        }
        if let image {
            try ImageFile.writePNG(item.scene.render(size: size), path: image)
            print("\nwrote \(image)")
        }
    }
}
