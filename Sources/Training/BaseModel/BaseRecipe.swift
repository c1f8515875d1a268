import Model
import ReasonerData

/// Everything that makes the base model: the analogue of the paper's pretrained LLaVA, a student that reads its
/// scenes and has the text skills rationales use, trained once by `reasoner base train` and shipped in `models/`.
///
/// The recipe is data: the same recipe and worker count give the same weights bit for bit (`Parallelism`), so the
/// shipped model can be re-created and checked.
public struct BaseRecipe: Codable, Sendable, Equatable {
    /// The model's name (its folder under `models/`).
    public var name: String
    /// Seed of the training scenes, drills, tokenizer, initial weights and batch order.
    public var seed: UInt64
    /// Seed of the held-out probe scenes and drills (a suite drawn with a seed not used in training).
    public var probeSeed: UInt64
    /// Caption scenes per family (each also gives a look-up drill and a scene-free drill).
    public var scenesPerFamily: Int
    /// Times each caption row appears per pass (captions and drills are then about half and half).
    public var captionRepeats: Int
    /// The student's size: `reference` (the shipped base) or `tiny` (tests of the machinery).
    public var scale: ModelScale = .reference
    /// Tokenizer vocabulary.
    public var vocabularySize: Int
    /// Whether every digit is its own token. The base keeps a number with the space before it (" 7" one token):
    /// split, "red 7" is the tokens "red", " ", "7", and copying the value after its key needs a match on two
    /// tokens back, which stalled look-ups at 0.2–0.4 (docs/seeing.md).
    public var splitDigits: Bool
    /// Decoder context (image patches included).
    public var contextLength: Int
    /// Optimisation; `steps` is the budget, the probes decide when to stop.
    public var optimization: OptimizationConfig
    /// Held-out scenes per family and drills per kind probed at every checkpoint while training.
    public var quickProbeItems: Int
    /// Held-out scenes per family and drills per kind of the final probe (the model card's numbers).
    public var finalProbeItems: Int
    /// What the probes must reach.
    public var gates: BaseGates

    enum CodingKeys: String, CodingKey {
        case name, seed, probeSeed = "probe_seed", scenesPerFamily = "scenes_per_family"
        case captionRepeats = "caption_repeats", scale, vocabularySize = "vocabulary_size", splitDigits = "split_digits"
        case contextLength = "context_length"
        case optimization, quickProbeItems = "quick_probe_items", finalProbeItems = "final_probe_items", gates
    }

    /// The shipped base: the reference student with rotary positions, probed every 500 steps.
    public static let standard = BaseRecipe(
        name: "reasoner-base-v1", seed: 7001, probeSeed: 7002, scenesPerFamily: 6000, captionRepeats: 2,
        scale: .reference, vocabularySize: 512, splitDigits: false, contextLength: 320,
        optimization: OptimizationConfig(steps: 9000, batchSize: 32, learningRate: 2e-3, minLearningRate: 2e-4,
                                         warmupSteps: 100, seed: 7001, checkpointEvery: 500),
        quickProbeItems: 50, finalProbeItems: 200, gates: .standard)

    /// The architecture: the student of `scale` (the reference: 64×64 images in 8×8 patches, vision d128×2,
    /// decoder d128×4) with rotary positions in the decoder.
    public func modelConfig(vocabularySize: Int) -> VLMConfig {
        var config = scale.config(vocabularySize: vocabularySize, contextLength: contextLength)
        config.positionEncoding = .rotary
        return config
    }

    /// The suite the caption scenes and drills come from (only its caption set is used for training; its
    /// train-split items give the tokenizer the words of questions and rationales).
    public var trainingSuite: SuiteConfig {
        var suite = SuiteConfig()
        suite.seed = seed
        suite.train = 200
        suite.validation = 0
        suite.test = 0
        suite.formatPerFamily = 0
        suite.pretrainPerFamily = scenesPerFamily
        return suite
    }

    /// The held-out suite the probes read: test scenes only, from `probeSeed`.
    public var probeSuite: SuiteConfig {
        var suite = SuiteConfig()
        suite.seed = probeSeed
        suite.train = 0
        suite.validation = 0
        suite.test = max(quickProbeItems, finalProbeItems)
        suite.formatPerFamily = 0
        suite.pretrainPerFamily = 0
        return suite
    }

    /// Rejects recipes no run can honour.
    public func validate() throws(TrainingError) {
        try optimization.validate()
        guard scenesPerFamily >= 10, captionRepeats >= 1, vocabularySize >= 300 else {
            throw .invalidConfiguration("scenes_per_family >= 10, caption_repeats >= 1, vocabulary_size >= 300")
        }
        guard quickProbeItems >= 2, finalProbeItems >= quickProbeItems else {
            throw .invalidConfiguration("quick_probe_items >= 2 and final_probe_items >= quick_probe_items")
        }
        guard optimization.checkpointEvery > 0 else {
            throw .invalidConfiguration("optimization.checkpoint_every must be positive: probes run at checkpoints")
        }
    }
}

/// The bars a base model must clear (issue "A student that sees"): on held-out scenes, every word slot of every
/// family's caption, whole captions, every drill kind, and the image's share of the caption loss.
public struct BaseGates: Codable, Sendable, Equatable {
    /// Each word slot (chart colour and height, ...) right at least this often, in every family.
    public var slot: Double
    /// Whole captions exactly right at least this often, in every family.
    public var exactCaption: Double
    /// Each drill kind (look-ups in every family) exactly right at least this often.
    public var drill: Double
    /// The caption loss with another scene's image at least this many times the loss with the scene's own.
    public var imageLossRatio: Double

    enum CodingKeys: String, CodingKey {
        case slot, exactCaption = "exact_caption", drill, imageLossRatio = "image_loss_ratio"
    }

    /// The bars.
    public static let standard = BaseGates(slot: 0.95, exactCaption: 0.80, drill: 0.95, imageLossRatio: 3)

    /// What a probe misses, one line per miss; empty when every bar is cleared.
    public func misses(captions: CaptionProbeReport, drills: DrillProbeReport) -> [String] {
        var out: [String] = []
        for family in captions.families {
            for slot in family.slots where slot.accuracy < self.slot {
                out.append(String(format: "%@ %@ %.3f < %.2f", family.family.rawValue, slot.name, slot.accuracy,
                                  self.slot))
            }
            if family.exact < exactCaption {
                out.append(String(format: "%@ exact captions %.3f < %.2f", family.family.rawValue, family.exact,
                                  exactCaption))
            }
            let ratio = family.lossOtherImage / max(family.lossOwnImage, 1e-9)
            if ratio < imageLossRatio {
                out.append(String(format: "%@ loss other/own image %.2f < %.1f", family.family.rawValue, ratio,
                                  imageLossRatio))
            }
        }
        for line in drills.lines where line.exact < drill {
            out.append(String(format: "drill %@ %.3f < %.2f", line.name, line.exact, drill))
        }
        return out
    }
}
