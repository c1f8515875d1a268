import Foundation
import Model
import ReasonerData

/// The shipped form of a base model: `models/<name>/` with the weights (no optimizer state), its tokenizer, the
/// recipe that made it, the final probe (JSON and Markdown) and a model card (`README.md`) that says how it was
/// made and how to re-make it.
public enum BaseShipment {
    /// The recipe file beside the weights.
    public static let recipeFile = "recipe.json"
    /// The final probe, as JSON.
    public static let probeFile = "probe.json"
    /// The final probe, as Markdown tables.
    public static let probeMarkdownFile = "probe.md"
    /// The model card.
    public static let cardFile = "README.md"

    /// Facts about the run the card states.
    public struct Provenance: Sendable {
        /// The command that trained it.
        public var command: String
        /// The commit of the code, if known.
        public var commit: String?
        /// The CPU it ran on and the kernels' instruction set.
        public var machine: String
        /// Wall time of the training run (all sessions).
        public var wallSeconds: Double
        /// Mean decoder positions per second of training.
        public var positionsPerSecond: Double?

        /// Provenance from its parts.
        public init(command: String, commit: String?, machine: String, wallSeconds: Double,
                    positionsPerSecond: Double?) {
            self.command = command
            self.commit = commit
            self.machine = machine
            self.wallSeconds = wallSeconds
            self.positionsPerSecond = positionsPerSecond
        }
    }

    /// Writes `outcome`'s checkpoint into `destination` (replacing what was there) with the recipe, probe and card;
    /// returns the content hash (SHA-256 of `model.safetensors`).
    @discardableResult
    public static func ship(_ outcome: BaseOutcome, recipe: BaseRecipe, provenance: Provenance,
                            to destination: URL) throws -> String {
        let loaded = try StudentCheckpoint.load(from: outcome.checkpoint)
        let staging = destination.deletingLastPathComponent()
            .appendingPathComponent(".\(destination.lastPathComponent).staging")
        try? FileManager.default.removeItem(at: staging)
        let hash = try StudentCheckpoint.save(loaded.model, tokenizer: loaded.tokenizer, to: staging)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(recipe).write(to: staging.appendingPathComponent(recipeFile))
        try encoder.encode(outcome.probe).write(to: staging.appendingPathComponent(probeFile))
        try Data(outcome.probe.markdown.utf8).write(to: staging.appendingPathComponent(probeMarkdownFile))
        let card = card(loaded: loaded, hash: hash, outcome: outcome, recipe: recipe, provenance: provenance)
        try Data(card.utf8).write(to: staging.appendingPathComponent(cardFile))
        try? FileManager.default.removeItem(at: destination)
        try FileManager.default.moveItem(at: staging, to: destination)
        return hash
    }

    static func card(loaded: StudentCheckpoint.Loaded, hash: String, outcome: BaseOutcome, recipe: BaseRecipe,
                     provenance: Provenance) -> String {
        let c = loaded.model.config
        let minutes = String(format: "%.1f", provenance.wallSeconds / 60)
        return """
            # \(recipe.name)

            The base model of Reasoner: the analogue of the paper's pretrained LLaVA. It was trained to read the \
            synthetic suite's scenes (to caption them) and the text skills every rationale uses — looking a named \
            value up in the text, small-number arithmetic, comparisons, counting a listed set\
            \(outcome.passed ? "" : " — and did not clear every gate: the probe below says what it reads and what not"). \
            Runs start from it by default.

            - content hash (SHA-256 of `model.safetensors`): `\(hash)`
            - parameters: \(loaded.model.parameters.count)
            - architecture: \(c.imageSize)×\(c.imageSize) images in \(c.patchSize)×\(c.patchSize) patches, vision \
            d\(c.visionDim)×\(c.visionLayers) (\(c.visionHeads) heads, MLP \(c.visionMLP)), LLaVA's 2-layer GELU \
            projector, decoder d\(c.decoderDim)×\(c.decoderLayers) (\(c.decoderHeads) heads, MLP \(c.decoderMLP), \
            \(c.norm.rawValue) norm, \(c.positionEncoding.rawValue) positions), context \(c.contextLength), \
            byte-level BPE tokenizer of \(c.vocabSize) tokens trained on the training text
            - data: suite generator v\(SuiteWriter.generatorVersion), seed \(recipe.seed), \
            \(recipe.scenesPerFamily) caption scenes per family (captions ×\(recipe.captionRepeats)), per scene a \
            look-up drill on its caption and one arithmetic, comparison or counting drill (`BaseDrills`)
            - training: \(outcome.probe.step) steps of batch \(recipe.optimization.batchSize), AdamW, \
            lr \(recipe.optimization.learningRate) → \(recipe.optimization.minLearningRate) cosine over a budget of \
            \(recipe.optimization.steps) steps, warmup \(recipe.optimization.warmupSteps); \
            \(outcome.passed ? "stopped when the probes cleared every gate" : "the budget ended before the probes cleared every gate") \
            (probed every \(recipe.optimization.checkpointEvery) steps)
            - held-out probe: \(outcome.probe.items) scenes per family and drills per kind from seed \
            \(recipe.probeSeed) (none in the training data): \(outcome.passed ? "every gate cleared" : "FAILED: " + outcome.probe.misses.joined(separator: "; "))
            - made by: `\(provenance.command)` at commit \(provenance.commit ?? "unknown") on \(provenance.machine), \
            \(minutes) min of wall time\(provenance.positionsPerSecond.map { String(format: ", %.0f decoder positions/s", $0) } ?? "")
            - re-made by the same command with the same worker count: the same weights bit for bit (same CPU kind \
            and build; see `Parallelism`); `reasoner base probe --model models/\(recipe.name)` re-measures the probe

            ## Gates

            Every word slot of every family's caption ≥ \(recipe.gates.slot), whole captions ≥ \
            \(recipe.gates.exactCaption) exact in every family, every drill kind ≥ \(recipe.gates.drill) exact, \
            the caption loss with another scene's image ≥ \(recipe.gates.imageLossRatio)× the loss with the \
            scene's own.

            \(outcome.probe.markdown)

            """
    }
}
