import Artifacts
import Logging
import Messaging
import ServiceLifecycle
import State
import Teacher

/// The embedded mode: the coordinator's stages and the workers in one process, over the in-process broker and
/// state store, with the same worker code the fleet runs as separate executables.
public struct EmbeddedFleet: Sendable {
    /// The in-process broker.
    public let broker = InMemoryBroker()
    /// The in-memory state.
    public let store = InMemoryStateStore()
    /// The artifacts folder.
    public let artifacts: ArtifactStore
    private let logger: Logger

    /// A fleet writing artifacts under `artifacts`.
    public init(artifacts: ArtifactStore, logger: Logger) {
        self.artifacts = artifacts
        self.logger = logger
    }

    /// Runs a whole pipeline in the process, as the fleet would: the coordinator (its submissions worker and its
    /// loop), one trainer of each kind and `workersPerRole` workers of every other role, over the in-process broker
    /// and state. Calls `onEvent` with each event of the run's stream as it happens and returns once the run is done.
    public func run(_ definition: PipelineDefinition, runID: String, workersPerRole: Int = 2,
                    teacher: ChatTeacher? = nil, onEvent: @escaping @Sendable (StreamEntry) -> Void) async throws {
        try definition.validate()
        try await broker.declare(FleetTopology.standard)
        let artifacts = self.artifacts
        let coordinator = Coordinator(broker: broker, store: store, logger: logger, reissueAfter: .seconds(600)) {
            try PipelinePlanner.forRun($0, artifacts: artifacts)
        }
        var services: [any Service] = [
            CoordinatorService(coordinator: coordinator, interval: .milliseconds(200)),
            Worker(role: "coordinator", queue: FleetTopology.Queue.coordinator, prefetch: 1, broker: broker,
                   store: store, handler: RunSubmissionHandler(artifacts: artifacts), logger: logger),
            Worker(role: "runner", queue: FleetTopology.Queue.runner, prefetch: 1, broker: broker, store: store,
                   handler: RunTaskHandler(artifacts: artifacts), logger: logger),
            Worker(role: "verifier", queue: FleetTopology.Queue.verifier, prefetch: 1, broker: broker, store: store,
                   handler: VerifierHandler(artifacts: artifacts), logger: logger),
        ]
        // One trainer of each kind: a training job uses every core already (`Parallelism.workers`).
        services.append(Worker(role: "sft-trainer", queue: FleetTopology.Queue.sftTrainer, prefetch: 1, broker: broker,
                               store: store, handler: SFTTrainHandler(artifacts: artifacts, store: store),
                               logger: logger))
        services.append(Worker(role: "dpo-trainer", queue: FleetTopology.Queue.dpoTrainer, prefetch: 1, broker: broker,
                               store: store, handler: DPOTrainHandler(artifacts: artifacts, store: store),
                               logger: logger))
        for _ in 0..<max(1, workersPerRole) {
            services.append(Worker(role: "distiller", queue: FleetTopology.Queue.distiller, prefetch: 1,
                                   broker: broker, store: store,
                                   handler: DistillHandler(artifacts: artifacts, teacher: teacher), logger: logger))
            services.append(Worker(role: "sampler", queue: FleetTopology.Queue.sampler, prefetch: 1, broker: broker,
                                   store: store, handler: SampleHandler(artifacts: artifacts), logger: logger))
            services.append(Worker(role: "judge", queue: FleetTopology.Queue.judge, prefetch: 1, broker: broker,
                                   store: store, handler: JudgeHandler(artifacts: artifacts), logger: logger))
            services.append(Worker(role: "evaluator", queue: FleetTopology.Queue.evaluator, prefetch: 1,
                                   broker: broker, store: store,
                                   handler: EvalHandler(artifacts: artifacts, store: store), logger: logger))
        }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: services, logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await broker.publish([try RunSubmission(definition: definition).message(runID: runID)])
            var cursor = StreamID.start
            following: while true {
                let events = try await store.follow(StateKeys.events(runID), after: cursor, limit: 100,
                                                    waitMilliseconds: 1_000)
                for event in events {
                    onEvent(event)
                    if event.fields["kind"] == EventKind.runDone.rawValue { break following }
                    if event.fields["kind"] == EventKind.runFailed.rawValue {
                        await group.triggerGracefulShutdown()
                        throw EmbeddedRunError.failed(event.fields["stage"] ?? "", event.fields["reason"] ?? "")
                    }
                }
                cursor = events.last?.id ?? cursor
                if events.isEmpty, let letter = try await firstDeadLetter(of: runID) {
                    await group.triggerGracefulShutdown()
                    throw EmbeddedRunError.deadLettered(letter.queue, letter.reason)
                }
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    /// A letter of the run in any dead-letter queue: in one process nobody will retry it, so the run cannot finish.
    private func firstDeadLetter(of runID: String) async throws -> (queue: String, reason: String)? {
        for queue in FleetTopology.standard.queues {
            for letter in try await DeadLetters(broker: broker).list(queue.name) where letter.runID == runID {
                return (queue.name, letter.reason)
            }
        }
        return nil
    }

    /// Runs the distill stage with `workers` distillers consuming the batches concurrently; with a budget, stops
    /// enqueuing once the run's teacher cost reaches it. Returns how many batches ran.
    @discardableResult
    public func distill(_ stage: DistillBatches, workers: Int, teacher: ChatTeacher? = nil, budgetDollars: Double? = nil,
                        progress: @escaping @Sendable (Int, Int) -> Void) async throws -> Int {
        try await broker.declare(FleetTopology.standard)
        let distillers = (0..<max(1, workers)).map { _ in
            Worker(role: "distiller", queue: FleetTopology.Queue.distiller, prefetch: 1, broker: broker, store: store,
                   handler: DistillHandler(artifacts: artifacts, teacher: teacher), logger: logger)
        }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: distillers, logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let ran: Int
            if let budgetDollars {
                ran = try await stage.runWithinBudget(budgetDollars, broker: broker, store: store, progress: progress)
            } else {
                try await stage.enqueue(on: broker)
                try await stage.waitUntilDone(store: store, progress: progress)
                ran = try stage.batches().count
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return ran
        }
    }
}

/// Why an embedded run stopped before its end.
public enum EmbeddedRunError: Error, CustomStringConvertible {
    /// A message of the run was dead-lettered: the run cannot finish.
    case deadLettered(String, String)
    /// The run failed at a stage, with the reason.
    case failed(String, String)

    public var description: String {
        switch self {
        case .failed(let stage, let reason):
            "the run failed at stage \(stage): \(reason); fix the cause and run again (finished work is kept)"
        case .deadLettered(let queue, let reason):
            "a message of the run was dead-lettered on \(queue) (\(reason)); fix the cause and run again"
        }
    }
}
