import Artifacts
import Foundation
import Tensor
import Tokenization

/// A student checkpoint directory: `config.json`, `model.safetensors`, `tokenizer.json` and, when saved from
/// training, `trainer_state.json` (the step to resume from) and `optimizer.safetensors` (AdamW's moments and step,
/// `OptimizerCheckpoint`). Its identity is the SHA-256 of `model.safetensors`.
public enum StudentCheckpoint {
    /// Architecture file name.
    public static let configFile = "config.json"
    /// Weights file name.
    public static let weightsFile = "model.safetensors"
    /// Tokenizer file name.
    public static let tokenizerFile = "tokenizer.json"
    /// Optional training-progress file name.
    public static let trainerStateFile = "trainer_state.json"
    /// Optional optimizer-state file name.
    public static let optimizerFile = "optimizer.safetensors"

    /// Training progress saved beside the weights so a run can resume.
    public struct TrainerState: Sendable, Codable, Equatable {
        /// Optimiser steps taken.
        public var step: Int
        /// A state at `step`.
        public init(step: Int) { self.step = step }
    }

    /// A loaded checkpoint.
    public struct Loaded {
        /// The model with the saved weights.
        public let model: StudentVLM
        /// The saved tokenizer.
        public let tokenizer: Tokenizer
        /// Training progress, if saved.
        public let trainerState: TrainerState?
        /// The optimizer's state, if saved: `AdamW.restore` it into an optimizer over `model.parameters`.
        public let optimizer: AdamW.State?
        /// SHA-256 (hex) of `model.safetensors`.
        public let contentHash: String
    }

    /// Writes `model` and `tokenizer` (and, from training, its progress and optimizer state) into `directory`
    /// (created if needed) and returns the content hash. The tokenizer's vocabulary must match the model's. Optional
    /// files not given are removed, so a stale one never resumes a run at the wrong step.
    @discardableResult
    public static func save(_ model: StudentVLM, tokenizer: Tokenizer, trainerState: TrainerState? = nil,
                            optimizer: AdamW.State? = nil, to directory: URL) throws -> String {
        guard tokenizer.vocabularySize == model.config.vocabSize else {
            throw ModelError.invalidInput("tokenizer has \(tokenizer.vocabularySize) tokens but the model's "
                                          + "vocab_size is \(model.config.vocabSize); save the tokenizer it was built for")
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try model.config.save(to: directory.appendingPathComponent(configFile))
        let weights = try Safetensors.encode(model.parameters.namedTensors(), metadata: ["format": "pt"])
        try weights.write(to: directory.appendingPathComponent(weightsFile), options: .atomic)
        try tokenizer.save(to: directory.appendingPathComponent(tokenizerFile))
        try writeOrRemove(trainerState.map { try JSONEncoder().encode($0) },
                          directory.appendingPathComponent(trainerStateFile))
        try writeOrRemove(optimizer.map { try OptimizerCheckpoint.encode($0, store: model.parameters) },
                          directory.appendingPathComponent(optimizerFile))
        return ArtifactStore.sha256(weights)
    }

    /// The content hash of the checkpoint in `directory`: SHA-256 (hex) of its `model.safetensors`.
    public static func contentHash(of directory: URL) throws -> String {
        ArtifactStore.sha256(try read(directory, weightsFile))
    }

    /// Loads a checkpoint, rejecting missing, extra or mis-shaped tensors with an error naming the tensor.
    public static func load(from directory: URL) throws -> Loaded {
        let config = try JSONDecoder().decode(VLMConfig.self, from: read(directory, configFile))
        let model = try StudentVLM(config: config, seed: 0)
        let weights = try read(directory, weightsFile)
        try loadWeights(Safetensors.decode(weights).tensors, into: model.parameters)
        let tokenizer = try Tokenizer(jsonData: read(directory, tokenizerFile))
        guard tokenizer.vocabularySize == config.vocabSize else {
            throw ModelError.invalidInput("tokenizer.json has \(tokenizer.vocabularySize) tokens but config.json "
                                          + "says vocab_size \(config.vocabSize); the files come from different runs")
        }
        let stateURL = directory.appendingPathComponent(trainerStateFile)
        let state = FileManager.default.fileExists(atPath: stateURL.path)
            ? try JSONDecoder().decode(TrainerState.self, from: Data(contentsOf: stateURL)) : nil
        let optimizerURL = directory.appendingPathComponent(optimizerFile)
        let optimizer = FileManager.default.fileExists(atPath: optimizerURL.path)
            ? try OptimizerCheckpoint.decode(Data(contentsOf: optimizerURL), store: model.parameters) : nil
        return Loaded(model: model, tokenizer: tokenizer, trainerState: state, optimizer: optimizer,
                      contentHash: ArtifactStore.sha256(weights))
    }

    /// Copies `tensors` into `store` after checking that the names match exactly and every shape agrees.
    public static func loadWeights(_ tensors: [String: SafeTensor], into store: ParameterStore) throws(ModelError) {
        try checkNamesAndShapes(tensors, expected: zip(store.names, store.parameters).map { ($0, $1.shape.dims) })
        for (name, parameter) in zip(store.names, store.parameters) {
            let values = tensors[name]!.floats, destination = store.value(parameter)
            for i in 0..<values.count { destination[i] = values[i] }
        }
    }

    /// Checks that `tensors` holds exactly the `expected` names, each with its shape; the error names the first
    /// extra, missing or mis-shaped tensor.
    static func checkNamesAndShapes(_ tensors: [String: SafeTensor],
                                    expected: [(name: String, shape: [Int])]) throws(ModelError) {
        let names = Set(expected.map(\.name))
        if let extra = tensors.keys.filter({ !names.contains($0) }).sorted().first { throw .unexpectedTensor(extra) }
        for (name, shape) in expected {
            guard let tensor = tensors[name] else { throw .missingTensor(name) }
            guard tensor.shape == shape else { throw .shapeMismatch(name: name, expected: shape, found: tensor.shape) }
        }
    }

    /// Writes `data` atomically to `url`, or removes the file there when `data` is nil.
    private static func writeOrRemove(_ data: Data?, _ url: URL) throws {
        if let data {
            try data.write(to: url, options: .atomic)
        } else if FileManager.default.fileExists(atPath: url.path) {
            try FileManager.default.removeItem(at: url)
        }
    }

    private static func read(_ directory: URL, _ file: String) throws -> Data {
        let url = directory.appendingPathComponent(file)
        guard FileManager.default.fileExists(atPath: url.path) else { throw ModelError.missingFile(url.path) }
        return try Data(contentsOf: url)
    }
}
