import Artifacts
import ReasonerData
import Training

/// The item files the sampling, verifier and evaluation budgets cover: a split, or its first N items of each family
/// (`data/<split>-first<N>.jsonl`, beside the split so image paths stay relative to the suite). The prepare stage
/// writes them; later stages only name them.
enum ItemSubsets {
    /// The file of the first `perFamily` items per family of `split` (the whole split when 0).
    static func ref(split: Split, perFamily: Int, context: StageContext) throws -> ArtifactRef {
        try context.layout.data.appending(perFamily > 0 ? "\(split.rawValue)-first\(perFamily).jsonl"
                                                         : "\(split.rawValue).jsonl")
    }

    /// Every subset the run's stages read: (split, items per family).
    static func needed(_ definition: PipelineDefinition) -> Set<Subset> {
        var subsets: Set<Subset> = [Subset(split: .train, perFamily: definition.sample.itemsPerFamily),
                                    Subset(split: definition.evaluate.split, perFamily: definition.evaluate.itemsPerFamily)]
        if definition.verifier.enabled {
            subsets.insert(Subset(split: definition.evaluate.split, perFamily: definition.verifier.sampling.itemsPerFamily))
        }
        return subsets
    }

    /// A split and a per-family budget.
    struct Subset: Hashable {
        let split: Split
        let perFamily: Int
    }

    /// Writes the subsets `definition` needs from the suite's split files.
    static func write(_ definition: PipelineDefinition, context: StageContext) throws {
        for subset in needed(definition) where subset.perFamily > 0 {
            let all = try RowFiles.read(SuiteItem.self, path: try context.artifacts.path(of:
                try context.layout.data.appending("\(subset.split.rawValue).jsonl"))).rows
            let file = try ref(split: subset.split, perFamily: subset.perFamily, context: context)
            try context.artifacts.write(try RowFiles.jsonLines(SuiteRows.firstPerFamily(all, subset.perFamily)), to: file)
        }
    }
}
