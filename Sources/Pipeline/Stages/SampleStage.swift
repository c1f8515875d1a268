import Artifacts
import Foundation
import Messaging
import ReasonerData
import Training

/// Chains of thought for the sampled training items, in shards for the samplers; each shard's judge task is its
/// follow-up, and the stage is done when every shard is judged. Round 1 samples the sampling mix's student (the
/// paper's ④); round 2 (iterative DPO) samples the first DPO student on the same items.
struct SampleStage: PipelineStage {
    let round: Int
    var name: StageName { round == 1 ? .sample : .resample }

    /// The sampled items (the first `sample.items_per_family` of each family, written by the prepare stage).
    static func items(_ context: StageContext) throws -> ArtifactRef {
        try ItemSubsets.ref(split: .train, perFamily: context.definition.sample.itemsPerFamily, context: context)
    }

    /// The shards' judge tasks (what the DPO stages read back).
    static func judgeTasks(_ context: StageContext, round: Int) throws -> [JudgeTask] {
        let items = try items(context), layout = context.layout
        let count = try context.lineCount(items)
        return try ItemSlice.slices(of: items, count: count, size: context.definition.sample.itemsPerShard).indices.map {
            JudgeTask(items: items, samples: try layout.samples($0, round: round), output: try layout.pairs($0, round: round),
                      pairs: context.definition.pairs.builder, checkChosenChains: context.definition.pairs.checkChosenChains)
        }
    }

    func plan(_ context: StageContext) throws -> StagePlan {
        let students = RunStudents(context: context)
        let checkpoint = round == 1 ? try students.sampled() : try students.finished(RunStudents.dpo)
        let items = try Self.items(context)
        let slices = ItemSlice.slices(of: items, count: try context.lineCount(items),
                                      size: context.definition.sample.itemsPerShard)
        var messages: [OutgoingMessage] = [], awaited: [String] = []
        for (index, (slice, judge)) in zip(slices, try Self.judgeTasks(context, round: round)).enumerated() {
            let shard = SampleShard(checkpoint: checkpoint, items: slice, sampling: context.definition.sample,
                                    output: judge.samples, judge: judge)
            let id = "\(context.runID).\(name.rawValue).\(index)"
            messages.append(FleetTopology.work(FleetTopology.Queue.sampler,
                                               try Envelope(shard, id: id, runID: context.runID)))
            awaited.append(id + ".judge")
        }
        return StagePlan(stage: name.rawValue, messages: messages, awaited: awaited)
    }
}

/// What the judged shards of a sampling round hold: their pairs files, and the sampled accuracy.
struct JudgedRound {
    let context: StageContext
    let round: Int

    /// The pair files that hold pairs, in shard order.
    func pairFiles() throws -> (files: [ArtifactRef], pairs: Int) {
        var files: [ArtifactRef] = [], pairs = 0
        for task in try SampleStage.judgeTasks(context, round: round) where try context.artifacts.exists(task.output) {
            let count = try context.lineCount(task.output)
            if count > 0 { files.append(task.output); pairs += count }
        }
        return (files, pairs)
    }

    /// The correct chains (as CoT SFT rows), in shard order, and how many.
    func correctFiles() throws -> (files: [ArtifactRef], rows: Int) {
        var files: [ArtifactRef] = [], rows = 0
        for task in try SampleStage.judgeTasks(context, round: round) where try context.artifacts.exists(try task.correct) {
            let count = try context.lineCount(try task.correct)
            if count > 0 { files.append(try task.correct); rows += count }
        }
        return (files, rows)
    }

    /// The share of sampled chains judged correct.
    func sampledAccuracy() throws -> Double {
        var correct = 0, total = 0
        for task in try SampleStage.judgeTasks(context, round: round) where try context.artifacts.exists(try task.judged) {
            for line in try context.artifacts.read(try task.judged).split(separator: UInt8(ascii: "\n")) {
                let judged = try JSONDecoder().decode(JudgedChains.self, from: Data(line))
                correct += judged.verdicts.filter { $0 == .correct }.count
                total += judged.verdicts.count
            }
        }
        return total == 0 ? 0 : Double(correct) / Double(total)
    }
}
