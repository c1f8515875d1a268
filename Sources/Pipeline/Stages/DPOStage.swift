import Artifacts
import Messaging
import Training

/// DPO of the sampled student on its judged pairs — the paper's row and the extra rows that train from the same
/// chains (RPO, DPO on whole responses, rejection-sampling fine-tuning) — or, in round 2 (iterative DPO), DPO of
/// the first DPO student on the pairs of its own chains. No job when the sampled accuracy is below
/// `dpo.min_sampled_accuracy` (most chosen chains would be lucky guesses) or no question gave a pair; the report
/// says which.
struct DPOStage: PipelineStage {
    let round: Int
    var name: StageName { round == 1 ? .dpo : .redpo }

    /// Why the round trains nothing, or nil when it trains.
    static func skipReason(_ context: StageContext, round: Int) throws -> String? {
        let judged = JudgedRound(context: context, round: round)
        let accuracy = try judged.sampledAccuracy(), gate = context.definition.dpo.minSampledAccuracy
        if accuracy < gate {
            return String(format: "sampled accuracy %.4f is below dpo.min_sampled_accuracy %g", accuracy, gate)
        }
        if try judged.pairFiles().pairs == 0 { return "no sampled question gave a pair" }
        return nil
    }

    func plan(_ context: StageContext) throws -> StagePlan {
        guard try Self.skipReason(context, round: round) == nil else { return StagePlan(stage: name.rawValue, messages: []) }
        let layout = context.layout, settings = context.definition.dpo, students = RunStudents(context: context)
        let (files, pairs) = try JudgedRound(context: context, round: round).pairFiles()
        let start = round == 1 ? try students.sampled() : try students.finished(RunStudents.dpo)
        func dpo(_ student: String, objective: DPOObjective, maxWords: Int?) throws -> OutgoingMessage {
            let job = DPOTrainJob(name: student, start: start, pairs: files, imageRoot: try layout.data,
                                  objective: objective, maxWords: maxWords,
                                  optimization: settings.optimization(pairs: pairs), output: try layout.checkpoint(student))
            return FleetTopology.work(FleetTopology.Queue.dpoTrainer,
                                      try Envelope(job, id: "\(context.runID).\(student)", runID: context.runID))
        }
        let truncation = settings.maxWords == 0 ? nil : settings.maxWords
        guard round == 1 else {
            return StagePlan(stage: name.rawValue, messages: [
                try dpo(DPOVariant.iterative.student, objective: settings.objective, maxWords: truncation),
            ])
        }
        var messages = [try dpo(RunStudents.dpo, objective: settings.objective, maxWords: truncation)]
        for variant in settings.variants {
            switch variant {
            case .rpo:
                var objective = settings.objective
                objective.nllWeight = settings.rpoNLLWeight
                messages.append(try dpo(variant.student, objective: objective, maxWords: truncation))
            case .fullLength:
                messages.append(try dpo(variant.student, objective: settings.objective, maxWords: nil))
            case .rft:
                if let job = try rejectionSampling(context, start: start) { messages.append(job) }
            case .iterative:
                continue  // rounds 2: the resample and redpo stages
            }
        }
        return StagePlan(stage: name.rawValue, messages: messages)
    }

    /// Rejection-sampling fine-tuning: the sampled student fine-tuned on its own correct chains (one epoch with the
    /// SFT settings), the paper's baseline for DPO; nil when no chain was correct.
    private func rejectionSampling(_ context: StageContext, start: ArtifactRef) throws -> OutgoingMessage? {
        let (files, rows) = try JudgedRound(context: context, round: 1).correctFiles()
        guard rows > 0 else { return nil }
        let student = DPOVariant.rft.student, layout = context.layout
        var settings = context.definition.sft
        settings.epochs = max(1, settings.epochs)
        let job = SFTTrainJob(name: student, start: start, fresh: nil,
                              sources: files.map { TrainSource(name: "correct", rows: $0) }, imageRoot: try layout.data,
                              validation: nil, validationLimit: 0, optimization: settings.optimization(examples: rows),
                              output: try layout.checkpoint(student))
        return FleetTopology.work(FleetTopology.Queue.sftTrainer,
                                  try Envelope(job, id: "\(context.runID).\(student)", runID: context.runID))
    }
}
