import Foundation
import Pipeline
import State

/// Running accuracy of a run's evaluation, per student and prompt mode, from its `eval.item` events.
struct RunningAccuracy {
    private var counts: [String: (correct: Int, seen: Int)] = [:]

    /// Counts an `eval.item` event; returns its student/mode key and the accuracy so far (nil for other events).
    mutating func note(_ fields: [String: String]) -> (key: String, correct: Int, seen: Int)? {
        guard fields["kind"] == EventKind.evalItem.rawValue, let model = fields["model"], let mode = fields["mode"] else { return nil }
        let key = "\(model) \(mode)"
        var count = counts[key] ?? (0, 0)
        count.seen += 1
        if fields["correct"] == "1" { count.correct += 1 }
        counts[key] = count
        return (key, count.correct, count.seen)
    }
}

/// What `reasoner demo` shows of a run's events: a line per stage, progress bars for distillation, training steps
/// (with the loss), sampling and evaluation (with the running accuracy).
struct RunProgress {
    let definition: PipelineDefinition
    private var accuracy = RunningAccuracy()
    private var counts: [String: Int] = [:]
    /// DPO-stage students that trained (each is evaluated too).
    private var extraStudents = 0
    /// Each stage's start (stream time, milliseconds) in order, then the run's end.
    private var starts: [(stage: String, at: UInt64)] = []

    init(definition: PipelineDefinition) {
        self.definition = definition
    }

    private var families: Int { definition.suite.families.count }

    private func items(perFamily: Int, splitSize: Int) -> Int { (perFamily > 0 ? min(perFamily, splitSize) : splitSize) * families }

    private func describe(_ stage: String) -> String {
        switch StageName(rawValue: stage) {
        case .prepare: "the suite (\(definition.suite.families.count) families) and the rows every stage reads"
        case .distill: "\(definition.distill.teacher) teacher → judge → keep the rationales with right answers"
        case .pretrain: "a fresh \(definition.pretrain.scale.rawValue) student on captions and drills, "
            + "\(definition.pretrain.training.steps) steps"
        case .sft: "\(definition.sft.mixes.map(\.label).joined(separator: ", ")) from "
            + (definition.student.checkpoint.isEmpty ? "the pretrained student" : definition.student.checkpoint)
            + (definition.sft.epochs > 0 ? ", \(definition.sft.epochs) epoch(s) each" : ", \(definition.sft.training.steps) steps each")
        case .sample: "\(definition.sample.chainsPerItem) chains per item from "
            + "\(definition.sft.mixes.isEmpty ? "the student" : definition.sft.samplingMix.label) → judge → pairs"
        case .dpo: "β \(definition.dpo.beta), \(definition.dpo.maxWords)-word responses"
            + (definition.dpo.variants.isEmpty ? "" : " + " + definition.dpo.variants.map(\.student).joined(separator: ", "))
            + " (skipped below a sampled accuracy of \(definition.dpo.minSampledAccuracy) or without pairs)"
        case .resample: "\(definition.sample.chainsPerItem) chains per item from the DPO student → judge → pairs"
        case .redpo: "DPO round 2 on the DPO student's own pairs"
        case .verifier: "\(definition.verifier.sampling.chainsPerItem) test chains ranked by the DPO reward"
        case .evaluate: "greedy, \(definition.evaluate.modes.map(\.rawValue).joined(separator: " and ")) prompts"
        case .report: "results.md, findings.json, summary.json, plots"
        case nil: ""
        }
    }

    /// Prints what `event` changes.
    mutating func show(_ event: StreamEntry) {
        let fields = event.fields
        switch fields["kind"].flatMap(EventKind.init(rawValue:)) {
        case .runDone, .runFailed:
            starts.append(("", event.id.milliseconds))
        case .stageStarted:
            let stage = fields["stage"] ?? ""
            starts.append((stage, event.id.milliseconds))
            print("▶ \(stage.padding(toLength: 9, withPad: " ", startingAt: 0)) \(describe(stage))")
        case .distillBatch:
            let total = (definition.suite.train * families + definition.distill.batchSize - 1) / definition.distill.batchSize
            ProgressLine.show("  batches", done: bump("distill"), total: total)
        case .trainStep:
            guard let job = fields["job"], let step = Int(fields["step"] ?? ""), let steps = Int(fields["steps"] ?? "")
            else { return }
            ProgressLine.show("  \(job)", done: step, total: steps, detail: fields["loss"].map { "loss \($0)" } ?? "")
        case .sampleShard:
            let sampled = items(perFamily: definition.sample.itemsPerFamily, splitSize: definition.suite.train)
            let total = (sampled + definition.sample.itemsPerShard - 1) / definition.sample.itemsPerShard
            ProgressLine.show("  shards", done: bump("sample"), total: total)
        case .trainDone where fields["job"]?.hasPrefix("dpo") == true || fields["job"] == "rft":
            extraStudents += 1
        case .evalItem:
            guard let (key, correct, seen) = accuracy.note(fields) else { return }
            let split = definition.evaluate.split == .test ? definition.suite.test : definition.suite.validation
            let students = max(1, definition.sft.mixes.count) + extraStudents
            let total = students * definition.evaluate.modes.count
                * items(perFamily: definition.evaluate.itemsPerFamily, splitSize: split)
            ProgressLine.show("  answers", done: bump("eval"), total: total,
                              detail: String(format: "%@: accuracy %.2f so far", key, Double(correct) / Double(seen)))
        default:
            break
        }
    }

    private mutating func bump(_ key: String) -> Int {
        counts[key, default: 0] += 1
        return counts[key]!
    }

    /// Wall time per stage, once the run is done.
    var stageTimes: [(stage: String, seconds: Double)] {
        zip(starts, starts.dropFirst()).map { ($0.stage, Double($1.at - $0.at) / 1000) }
    }
}
