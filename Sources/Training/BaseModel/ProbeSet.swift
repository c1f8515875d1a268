import Foundation
import Model
import ReasonerData
import Tokenization

/// The held-out material a base model is probed on: scenes of the probe suite (a suite drawn from the recipe's
/// probe seed; one item per image, the first N per family) for captions, and drills drawn from the probe seed
/// (look-ups on those scenes' captions, and N of each scene-free kind). Scenes whose caption a training scene also
/// has, and look-ups whose prompt a training drill also has, are left out (two seeds can draw the same chart). The
/// scene-free kinds are not: the space of small-number problems (a few thousand sums, differences and products) is
/// covered by training, as times tables are, so their probe measures fresh draws of the skill, not unseen problems.
struct ProbeSet {
    let scenes: [SuiteItem]
    let drills: [Drill]
    let suite: String

    /// The probe set of `recipe` in `folder` (`probe-suite/`, `probe-drills.jsonl`), written there first if
    /// missing. The training scenes and drills are re-drawn (no images) to leave out what training saw.
    static func prepare(_ recipe: BaseRecipe, in folder: URL) throws -> ProbeSet {
        let suite = folder.appendingPathComponent("probe-suite").path
        let drillsFile = folder.appendingPathComponent("probe-drills.jsonl")
        let complete = FileManager.default.fileExists(atPath: suite + "/manifest.json")
            && FileManager.default.fileExists(atPath: drillsFile.path)
        var trainedCaptions = Set<String>(), trainedPrompts = Set<String>()
        let generator = try SuiteGenerator(config: recipe.trainingSuite)
        for family in recipe.trainingSuite.families {
            let pretrain = try generator.generate(family).pretrain
            trainedCaptions.formUnion(pretrain.map(\.scene.caption))
            if !complete {
                trainedPrompts.formUnion(SuiteWriter.drills(pretrain, family: family, seed: recipe.seed).map(\.drill.prompt))
            }
        }
        if !complete {
            try SuiteWriter.write(config: recipe.probeSuite, to: suite)
            let scenes = try RowFiles.read(SuiteItem.self, path: suite + "/test.jsonl").rows
                .filter { !trainedCaptions.contains($0.scene.caption) }
            let drills = Self.drills(recipe: recipe, scenes: scenes).filter {
                $0.kind != .lookup || !trainedPrompts.contains($0.prompt)
            }
            try RowFiles.writeJSONL(drills, path: drillsFile.path)
        }
        let scenes = CaptionProbe.distinctScenes(try RowFiles.read(SuiteItem.self, path: suite + "/test.jsonl").rows)
            .filter { !trainedCaptions.contains($0.scene.caption) }
        return ProbeSet(scenes: scenes, drills: try JSONLines.read(Drill.self, from: drillsFile), suite: suite)
    }

    /// The probe drills: per family a look-up on each probe scene's caption, then `finalProbeItems` of each
    /// scene-free kind, all from the probe seed.
    static func drills(recipe: BaseRecipe, scenes: [SuiteItem]) -> [Drill] {
        var rng = SeededGenerator(seed: recipe.probeSeed, stream: "probe-drills")
        var out = CaptionProbe.distinctScenes(scenes).map { BaseDrills.lookup($0.scene, rng: &rng) }
        for kind in [DrillKind.arithmetic, .comparison, .counting] {
            out += (0..<recipe.finalProbeItems).map { _ in BaseDrills.draw(kind, scene: nil, rng: &rng) }
        }
        return out
    }

    /// The first `items` scenes per family and drills per line, probed and judged against `gates`.
    func run(_ model: StudentVLM, template: ChatTemplate, items: Int, step: Int, gates: BaseGates,
             final: Bool) throws -> ProbeRecord {
        let captions = try CaptionProbe(model: model, template: template, imageRoot: suite)
            .run(SuiteRows.firstPerFamily(scenes, items))
        var taken: [String: Int] = [:]
        let chosen = drills.filter { drill in
            let key = "\(drill.kind.rawValue)/\(drill.family?.rawValue ?? "")"
            taken[key, default: 0] += 1
            return taken[key]! <= items
        }
        let drillReport = try DrillProbe(model: model, template: template).run(chosen)
        return ProbeRecord(step: step, final: final, items: items,
                           misses: gates.misses(captions: captions, drills: drillReport),
                           captions: captions, drills: drillReport)
    }
}

/// Probes a shipped base model (`models/<name>/`, which holds its recipe) on its recipe's held-out material.
public enum BaseProbe {
    /// The probe of the model in `model` on `items` scenes per family and drills per kind; the probe's scenes are
    /// written to `work` (reused when there).
    public static func run(model: URL, recipe: BaseRecipe, items: Int, work: URL) throws -> ProbeRecord {
        let loaded = try StudentCheckpoint.load(from: model)
        let probes = try ProbeSet.prepare(recipe, in: work)
        let state = (try? Data(contentsOf: model.appendingPathComponent(BaseShipment.probeFile)))
            .flatMap { try? JSONDecoder().decode(ProbeRecord.self, from: $0) }
        return try probes.run(loaded.model, template: try ChatTemplate(tokenizer: loaded.tokenizer), items: items,
                              step: state?.step ?? 0, gates: recipe.gates, final: true)
    }
}

/// One probe of a base model during or after training.
public struct ProbeRecord: Codable, Sendable, Equatable {
    /// The training step of the probed checkpoint.
    public var step: Int
    /// Whether this was the final probe (more items) rather than a quick one.
    public var final: Bool
    /// Scenes per family and drills per line probed.
    public var items: Int
    /// The gates missed; empty when all are cleared.
    public var misses: [String]
    /// The caption probe.
    public var captions: CaptionProbeReport
    /// The drill probe.
    public var drills: DrillProbeReport

    /// Both tables and the verdict, in Markdown.
    public var markdown: String {
        let verdict = misses.isEmpty ? "every gate cleared" : "missed: " + misses.joined(separator: "; ")
        return "### \(final ? "Final" : "Quick") probe at step \(step) (\(items) per family / kind): \(verdict)\n\n"
            + captions.markdown + "\n\n" + drills.markdown
    }

    /// One line per family and kind, for progress output.
    public var summary: String {
        var lines = ["probe at step \(step) (\(final ? "final" : "quick"), \(items) each):"]
        for f in captions.families {
            let slots = f.slots.map { String(format: "%@ %.2f", $0.name, $0.accuracy) }.joined(separator: " ")
            lines.append(String(format: "  %-9@ exact %.2f  %@  loss own %.3f other %.3f", f.family.rawValue,
                                f.exact, slots, f.lossOwnImage, f.lossOtherImage))
        }
        lines.append("  drills: " + drills.lines.map { String(format: "%@ %.2f", $0.name, $0.exact) }
            .joined(separator: ", "))
        lines.append(misses.isEmpty ? "  every gate cleared" : "  missed \(misses.count): " + misses.prefix(4)
            .joined(separator: "; ") + (misses.count > 4 ? "; ..." : ""))
        return lines.joined(separator: "\n")
    }
}
