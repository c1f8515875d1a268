import Messaging

/// A stage that is one task of the runner: `prepare` (the first stage: the run's suite and the rows and item
/// subsets the later stages read) and `report` (the last: the run's tables, findings and plots).
struct RunTaskStage: PipelineStage {
    let name: StageName
    let kind: RunTask.Kind

    static let prepare = RunTaskStage(name: .prepare, kind: .prepare)
    static let report = RunTaskStage(name: .report, kind: .report)

    func plan(_ context: StageContext) throws -> StagePlan {
        let task = RunTask(kind: kind, pipeline: try context.layout.definition)
        return StagePlan(stage: name.rawValue, messages: [
            FleetTopology.work(FleetTopology.Queue.runner,
                               try Envelope(task, id: "\(context.runID).\(kind.rawValue)", runID: context.runID)),
        ])
    }
}
