/// The model handed to parallel workers that only run it forward (generation shards, scoring workers).
/// `@unchecked Sendable`: each worker has its own tape (and caches) and only reads the weights, and nothing writes
/// them until every worker is done.
struct ReadOnlyModel: @unchecked Sendable {
    /// The shared model.
    let model: StudentVLM
}
