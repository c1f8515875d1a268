import Foundation
import Model
import ReasonerData
import Tokenization

/// Trains the base model of a `BaseRecipe` in a work folder, gated on probes, and resumes after a kill.
///
///     train-suite/   the caption scenes and drills (SuiteWriter, the recipe's seed)
///     probe-suite/   the held-out scenes (the probe seed)
///     probe-drills.jsonl  the held-out drills
///     student/       the fresh student: tokenizer trained on the training text, initial weights
///     train/         the training run (TrainingRunFolder: checkpoints, metrics)
///     probes.jsonl   every probe: step, misses, the reports
///     sessions.jsonl wall time of each session (a resumed run adds one)
///
/// Every `checkpoint_every` steps the quick probe runs on held-out scenes and drills; when it clears every gate
/// the final probe (more items) runs, and training stops when that one clears them too. A run whose budget ends
/// first is reported as failed, with what it missed.
public struct BaseTrainer {
    /// The recipe.
    public let recipe: BaseRecipe
    /// The work folder.
    public let folder: URL
    /// Progress lines.
    public let log: @Sendable (String) -> Void
    /// Print the loss and throughput every this many steps.
    public let progressEvery: Int

    /// A trainer of `recipe` in `folder`.
    public init(recipe: BaseRecipe, folder: URL, progressEvery: Int = 50, log: @escaping @Sendable (String) -> Void) {
        self.recipe = recipe
        self.folder = folder
        self.progressEvery = progressEvery
        self.log = log
    }

    var trainSuite: String { folder.appendingPathComponent("train-suite").path }
    var studentFolder: URL { folder.appendingPathComponent("student") }
    var runFolder: TrainingRunFolder { TrainingRunFolder(folder.appendingPathComponent("train")) }
    var probesFile: URL { folder.appendingPathComponent("probes.jsonl") }
    var sessionsFile: URL { folder.appendingPathComponent("sessions.jsonl") }

    /// Trains (or resumes) until the probes pass or the budget ends; returns the outcome with the final probe.
    public func run() throws -> BaseOutcome {
        try recipe.validate()
        let started = Date()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try prepareData()
        try prepareStudent()
        let probes = try ProbeSet.prepare(recipe, in: folder)
        if let passed = try passedProbe() {
            log("the probes already passed at step \(passed.step); nothing to train")
            return try outcome(passed, session: started, positions: 0, trainingSeconds: 0)
        }
        var meter = ThroughputMeter(), sessionPositions = 0.0
        let trainingStarted = DispatchTime.now().uptimeNanoseconds
        let job = SFTJob(start: studentFolder.path, sources: [
            MixSource(name: "captions", rows: trainSuite + "/pretrain.jsonl", repeats: recipe.captionRepeats),
            MixSource(name: "drills", rows: trainSuite + "/drills.jsonl"),
        ], imageRoot: trainSuite, optimization: recipe.optimization, output: runFolder.url.path)
        var last: ProbeRecord?
        try SFTTrainer.run(job, onStep: { step, metrics in
            // Positions the decoder ran (text tokens and image patches), summed over the step's micro-batches.
            let positions = (metrics["positions"] ?? 0) * Double(recipe.optimization.accumulation)
            meter.add(positions: positions)
            sessionPositions += positions
            if step % progressEvery == 0 {
                log(String(format: "step %5d/%d  loss %.4f  lr %.2e  %.0f positions/s", step,
                           recipe.optimization.steps, metrics["loss"] ?? .nan, metrics["learning_rate"] ?? .nan,
                           meter.rate()))
            }
        }, onCheckpoint: { step, model in
            let record = try probe(model, step: step, probes: probes)
            last = record
            return record.final && record.misses.isEmpty
        })
        guard var final = try last ?? passedProbe() ?? latestProbe() else {
            throw TrainingError.noUsableData("training ended without a probe; rerun to resume")
        }
        if !final.final { final = try finalProbeOfLatestCheckpoint(probes: probes) }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - trainingStarted) / 1e9
        return try outcome(final, session: started, positions: sessionPositions, trainingSeconds: seconds)
    }

    /// The student's chat template (its tokenizer).
    func template() throws -> ChatTemplate {
        try ChatTemplate(tokenizer: try Tokenizer(jsonData: Data(contentsOf:
            studentFolder.appendingPathComponent(StudentCheckpoint.tokenizerFile))))
    }

    /// The budget ended below the gates: the last checkpoint gets the final (large) probe all the same, so what is
    /// reported and shipped is measured on as many held-out items as a passing model's would be.
    func finalProbeOfLatestCheckpoint(probes: ProbeSet) throws -> ProbeRecord {
        guard let latest = runFolder.latestCheckpoint() else {
            throw TrainingError.unusableRunFolder("no checkpoint in \(runFolder.url.path)")
        }
        let state = try JSONDecoder().decode(StudentCheckpoint.TrainerState.self, from: Data(contentsOf:
            latest.appendingPathComponent(StudentCheckpoint.trainerStateFile)))
        if let done = records().last(where: { $0.step == state.step && $0.final }) { return done }
        let model = try StudentCheckpoint.load(from: latest).model
        let record = try probes.run(model, template: try template(), items: recipe.finalProbeItems, step: state.step,
                                    gates: recipe.gates, final: true)
        try append(record)
        log(record.summary)
        return record
    }

    /// Probes `model` at `step`: the quick probe, and when it passes the final one. Records and prints both.
    func probe(_ model: StudentVLM, step: Int, probes: ProbeSet) throws -> ProbeRecord {
        let template = try template()
        var record = try probes.run(model, template: template, items: recipe.quickProbeItems, step: step,
                                    gates: recipe.gates, final: false)
        try append(record)
        log(record.summary)
        if record.misses.isEmpty {
            record = try probes.run(model, template: template, items: recipe.finalProbeItems, step: step,
                                    gates: recipe.gates, final: true)
            try append(record)
            log(record.summary)
        }
        return record
    }

    // MARK: Data and the fresh student

    /// Writes the training suite (caption scenes and drills), unless a complete copy of this generator's is there.
    func prepareData() throws {
        if !SuiteWriter.holdsSuite(recipe.trainingSuite, in: trainSuite) {
            log("writing the training scenes and drills (\(recipe.scenesPerFamily) scenes per family)")
            try SuiteWriter.write(config: recipe.trainingSuite, to: trainSuite)
        }
    }

    /// Creates the fresh student (tokenizer and initial weights) unless it exists.
    func prepareStudent() throws {
        guard !FileManager.default.fileExists(atPath: studentFolder.appendingPathComponent(
            StudentCheckpoint.weightsFile).path) else { return }
        let hash = try StudentCheckpoint.createFresh(corpus: try tokenizerCorpus(), vocabularySize: recipe.vocabularySize,
                                                     seed: recipe.seed, config: recipe.modelConfig,
                                                     preTokenizer: PreTokenizer(splitDigits: recipe.splitDigits),
                                                     to: studentFolder)
        log("fresh student \(hash.prefix(12)): \(recipe.vocabularySize)-token tokenizer, rotary decoder")
    }

    /// The text the tokenizer learns from: the caption and drill rows, and the questions, prompts and offline
    /// rationales of the training suite's items, so that every run starting from the base tokenises its questions
    /// and rationales compactly.
    func tokenizerCorpus() throws -> [String] {
        var corpus: [String] = []
        for name in ["pretrain.jsonl", "drills.jsonl"] {
            for row in try RowFiles.read(ConversationRow.self, path: trainSuite + "/" + name).rows {
                corpus += row.conversations.map(\.value)
            }
        }
        let teacher = OfflineTeacher(seed: recipe.seed, errorRate: 0)
        for item in try RowFiles.read(SuiteItem.self, path: trainSuite + "/train.jsonl").rows {
            corpus.append(StudentPrompt.text(for: item, mode: .cot))
            corpus.append(StudentPrompt.text(for: item, mode: .direct))
            corpus.append(teacher.rationale(for: item).text)
        }
        return corpus
    }

    // MARK: Records

    func append(_ record: ProbeRecord) throws {
        try JSONLines.append([record], to: probesFile)
    }

    func records() -> [ProbeRecord] {
        (try? JSONLines.read(ProbeRecord.self, from: probesFile)) ?? []
    }

    /// The passing final probe of the latest checkpoint, if the run already ended that way.
    func passedProbe() throws -> ProbeRecord? {
        guard let latest = runFolder.latestCheckpoint(),
              let state = try? JSONDecoder().decode(StudentCheckpoint.TrainerState.self, from: Data(contentsOf:
                  latest.appendingPathComponent(StudentCheckpoint.trainerStateFile))) else { return nil }
        return records().last { $0.step == state.step && $0.final && $0.misses.isEmpty }
    }

    func latestProbe() throws -> ProbeRecord? { records().last }

    /// The outcome, with this session's wall time and training throughput recorded: the card's wall time and
    /// positions per second are over every session of the run (a resumed run adds to them).
    func outcome(_ record: ProbeRecord, session started: Date, positions: Double,
                 trainingSeconds: Double) throws -> BaseOutcome {
        try JSONLines.append([["seconds": Date().timeIntervalSince(started), "positions": positions,
                               "training_seconds": trainingSeconds]], to: sessionsFile)
        let sessions = (try? JSONLines.read([String: Double].self, from: sessionsFile)) ?? []
        let total = { (key: String) in sessions.reduce(0) { $0 + ($1[key] ?? 0) } }
        let seconds = total("seconds")
        let trained = sessions.filter { ($0["positions"] ?? 0) > 0 }.reduce(0) { $0 + ($1["training_seconds"] ?? 0) }
        guard let checkpoint = runFolder.latestCheckpoint() else {
            throw TrainingError.unusableRunFolder("no checkpoint in \(runFolder.url.path)")
        }
        return BaseOutcome(passed: record.final && record.misses.isEmpty, probe: record, checkpoint: checkpoint,
                           wallSeconds: seconds, positionsPerSecond: trained > 0 ? total("positions") / trained : nil)
    }
}

/// What a base training run ended with.
public struct BaseOutcome: Sendable {
    /// Whether the final probe cleared every gate.
    public var passed: Bool
    /// The last probe.
    public var probe: ProbeRecord
    /// The checkpoint it probed.
    public var checkpoint: URL
    /// Wall time of every session of the run.
    public var wallSeconds: Double
    /// Decoder positions per second over this session's training (probes included), if it trained.
    public var positionsPerSecond: Double?
}

/// Decoder positions per second over the steps since the last reading (probes included, as they cost time).
struct ThroughputMeter {
    private var since = DispatchTime.now().uptimeNanoseconds
    private var positions = 0.0

    /// Counts a step's positions.
    mutating func add(positions: Double) { self.positions += positions }

    /// The rate since the last reading; starts the next interval.
    mutating func rate() -> Double {
        let now = DispatchTime.now().uptimeNanoseconds
        defer { since = now; positions = 0 }
        return positions / max(Double(now - since) / 1e9, 1e-9)
    }
}
