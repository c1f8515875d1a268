/// One kind of process of the fleet: its executable (a product of this package, under `workers/`) and the queue it
/// consumes. The one list that `reasoner fleet up`, the compose file's tests and the docs agree on.
public struct FleetRole: Sendable, Equatable {
    /// The role's name, also its executable's and its compose service's.
    public var name: String
    /// The queue it consumes.
    public var queue: String
    /// Whether several processes of the role share its queue (`--samplers N`, `--scale sampler=N`).
    public var scalable: Bool
    /// Whether one process uses every core it is given (a trainer), rather than one BLAS thread per process.
    public var usesAllCores = false

    /// Every role, coordinator first.
    public static let all: [FleetRole] = [
        FleetRole(name: "coordinator", queue: FleetTopology.Queue.coordinator, scalable: false),
        FleetRole(name: "distiller", queue: FleetTopology.Queue.distiller, scalable: true),
        FleetRole(name: "sft-trainer", queue: FleetTopology.Queue.sftTrainer, scalable: true, usesAllCores: true),
        FleetRole(name: "sampler", queue: FleetTopology.Queue.sampler, scalable: true),
        FleetRole(name: "judge", queue: FleetTopology.Queue.judge, scalable: true),
        FleetRole(name: "dpo-trainer", queue: FleetTopology.Queue.dpoTrainer, scalable: true, usesAllCores: true),
        FleetRole(name: "evaluator", queue: FleetTopology.Queue.evaluator, scalable: true),
    ]
}
