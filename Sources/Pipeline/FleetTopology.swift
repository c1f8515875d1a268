import Messaging

/// The fleet's queues: one durable quorum work queue per role (dead-lettering to `<queue>.dlq`) and the
/// coordinator's events queue on the topic exchange.
public enum FleetTopology {
    /// Queue names by role.
    public enum Queue {
        /// Distillation batches.
        public static let distiller = "reasoner.distiller"
        /// Sampling shards.
        public static let sampler = "reasoner.sampler"
        /// Judging of sampled shards.
        public static let judge = "reasoner.judge"
        /// SFT jobs.
        public static let sftTrainer = "reasoner.sft-trainer"
        /// DPO jobs.
        public static let dpoTrainer = "reasoner.dpo-trainer"
        /// Evaluation shards.
        public static let evaluator = "reasoner.evaluator"
        /// Verifier shards (consumed by the evaluator process beside its own queue).
        public static let verifier = "reasoner.verifier"
        /// A run's bookkeeping — the suite and rows, the report (consumed by the coordinator process's runner).
        public static let runner = "reasoner.runner"
        /// Events for the coordinator.
        public static let coordinator = "reasoner.coordinator"
    }

    /// The standard topology. Heavy roles get few deliveries before dead-lettering (a crash-looping training job
    /// should stop, not burn hours); light ones more.
    public static let standard = Topology(
        workExchange: "reasoner.work", eventsExchange: "reasoner.events", deadLetterExchange: "reasoner.dlx",
        queues: [
            QueueDeclaration(name: Queue.distiller, deliveryLimit: 5),
            QueueDeclaration(name: Queue.sampler, deliveryLimit: 3),
            QueueDeclaration(name: Queue.judge, deliveryLimit: 5),
            QueueDeclaration(name: Queue.sftTrainer, deliveryLimit: 3),
            QueueDeclaration(name: Queue.dpoTrainer, deliveryLimit: 3),
            QueueDeclaration(name: Queue.evaluator, deliveryLimit: 3),
            QueueDeclaration(name: Queue.verifier, deliveryLimit: 3),
            QueueDeclaration(name: Queue.runner, deliveryLimit: 3),
            QueueDeclaration(name: Queue.coordinator, deliveryLimit: 10, eventsPattern: "run.#"),
        ])

    /// A work message for a role's queue.
    public static func work(_ queue: String, _ envelope: Envelope) -> OutgoingMessage {
        OutgoingMessage(exchange: standard.workExchange, routingKey: queue, envelope: envelope)
    }
}
