/// One rows file of a training mix and how often its rows are repeated per pass.
public struct MixSource: Codable, Sendable, Equatable {
    /// A short name (`format`, `direct`, `cot`, `captions`, `drills`), reported per example and in metrics.
    public var name: String
    /// The rows file (LLaVA conversation JSONL or JSON).
    public var rows: String
    /// Times each row appears in one pass over the mix (≥ 1); how the paper's small format set ① is weighted.
    public var repeats: Int

    /// A source.
    public init(name: String, rows: String, repeats: Int = 1) {
        self.name = name
        self.rows = rows
        self.repeats = repeats
    }
}

/// The paper's SFT data mixes (arXiv 2410.16198, table 2): ① format only, ② ① + direct, ③ ① + CoT,
/// ④ ① + direct + CoT; plus the caption/drill pretraining mix that makes the student see first.
public enum SFTMix: String, Codable, Sendable, CaseIterable {
    /// Pretraining: captions and text-only drills.
    case pretrain
    /// ① the format set only.
    case format
    /// ② ① plus direct-answer rows.
    case formatDirect = "format+direct"
    /// ③ ① plus chain-of-thought rows.
    case formatCoT = "format+cot"
    /// ④ ① plus direct and chain-of-thought rows.
    case formatDirectCoT = "format+direct+cot"

    /// The row ①②③④ label of the paper's table (`pretrain` has none).
    public var label: String {
        switch self {
        case .pretrain: "pretrain"
        case .format: "① format"
        case .formatDirect: "② +direct"
        case .formatCoT: "③ +CoT"
        case .formatDirectCoT: "④ +direct+CoT"
        }
    }

    /// The names of the sources this mix takes, in the order given to `sources(files:repeats:)`.
    public var sourceNames: [String] {
        switch self {
        case .pretrain: ["captions", "drills"]
        case .format: ["format"]
        case .formatDirect: ["format", "direct"]
        case .formatCoT: ["format", "cot"]
        case .formatDirectCoT: ["format", "direct", "cot"]
        }
    }

    /// The mix's sources from the rows file of each source name and optional repeat counts (default 1).
    public func sources(files: [String: String], repeats: [String: Int] = [:]) throws(TrainingError) -> [MixSource] {
        try sourceNames.map { (name: String) throws(TrainingError) -> MixSource in
            guard let path = files[name] else {
                throw .invalidConfiguration("mix \(rawValue) needs a rows file for source \"\(name)\"")
            }
            return MixSource(name: name, rows: path, repeats: repeats[name] ?? 1)
        }
    }
}
