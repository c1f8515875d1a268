import ArgumentParser
import Foundation
import Synchronization
import Tokenization

/// `reasoner-bench tokenizer`: trains the byte-level BPE on synthetic student rows and measures training time and
/// encode throughput; with HuggingFace `tokenizers` available, trains and encodes the same rows there in the same run,
/// prints the ratios, and checks that HuggingFace reading our `tokenizer.json` gives the same ids.
struct TokenizerBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenizer",
        abstract: "Byte-level BPE training and encoding speed, side by side with HuggingFace tokenizers.")

    @Option(help: "Number of synthetic rows (captions, questions, rationales) to train on and encode.")
    var rows = 100_000

    @Option(help: "Target vocabulary size (specials + 256 bytes + merges).")
    var vocabularySize = 1024

    @Option(help: "Encode passes to time after the first (cold-cache) pass; the best is reported.")
    var passes = 3

    @Option(help: "Python with the `tokenizers` package for the comparison (skipped when the file is missing).")
    var python = ".local/hf/bin/python"

    func validate() throws {
        guard rows > 0, passes > 0 else { throw ValidationError("--rows and --passes must be positive") }
    }

    func run() throws {
        let corpus = SyntheticRows.make(count: rows)
        let megabytes = Double(corpus.reduce(0) { $0 + $1.utf8.count }) / 1_000_000
        print("corpus: \(rows) rows, \(String(format: "%.2f", megabytes)) MB; vocabulary \(vocabularySize)")

        let clock = ContinuousClock()
        var tokenizer: Tokenizer?
        let trainTime = try clock.measure { tokenizer = try Tokenizer.train(corpus: corpus, vocabularySize: vocabularySize) }
        guard let tokenizer else { return }
        var encoded: [[Int]] = []
        let coldTime = clock.measure { encoded = corpus.map { tokenizer.encode($0) } }
        var warmTime = Duration.seconds(1_000_000)
        for _ in 0..<passes {
            warmTime = min(warmTime, clock.measure { encoded = corpus.map { tokenizer.encode($0) } })
        }
        let parallelTime = clock.measure { _ = Self.encodeOnAllCores(corpus, with: tokenizer) }
        let tokens = encoded.reduce(0) { $0 + $1.count }
        let ours = Measurement(train: trainTime.seconds, encodeCold: megabytes / coldTime.seconds,
                               encodeWarm: megabytes / warmTime.seconds, encodeParallel: megabytes / parallelTime.seconds)
        print("ours: vocabulary \(tokenizer.vocabularySize) (stops early when no pair occurs twice), train \(format(ours.train)) s, encode \(format(ours.encodeCold)) MB/s cold cache, "
              + "\(format(ours.encodeWarm)) MB/s warm (1 thread), \(format(ours.encodeParallel)) MB/s on all cores, \(String(format: "%.2f", Double(tokens) / Double(rows))) tokens/row, "
              + "\(format(megabytes * 1_000_000 / Double(tokens))) bytes/token")

        guard FileManager.default.isExecutableFile(atPath: python) else {
            print("HuggingFace comparison skipped: \(python) not found (python3 -m venv .local/hf && .local/hf/bin/pip install tokenizers)")
            return
        }
        try compareWithHuggingFace(corpus: corpus, tokenizer: tokenizer, encoded: encoded, ours: ours)
    }

    /// Our numbers, in seconds and MB/s.
    struct Measurement {
        var train: Double
        var encodeCold: Double
        var encodeWarm: Double
        var encodeParallel: Double
    }

    /// Encodes the rows in one chunk per core, as a data loader would; the cache is shared across threads.
    static func encodeOnAllCores(_ rows: [String], with tokenizer: Tokenizer) -> Int {
        let chunks = ProcessInfo.processInfo.activeProcessorCount
        let counts = Mutex<Int>(0)
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let range = (rows.count * chunk / chunks)..<(rows.count * (chunk + 1) / chunks)
            let tokens = rows[range].reduce(0) { $0 + tokenizer.encode($1).count }
            counts.withLock { $0 += tokens }
        }
        return counts.withLock { $0 }
    }

    /// Runs the Python side on files in a temporary folder and prints its numbers and the ratios.
    private func compareWithHuggingFace(corpus: [String], tokenizer: Tokenizer, encoded: [[Int]], ours: Measurement) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tokenizer-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let corpusURL = folder.appendingPathComponent("corpus.json")
        let idsURL = folder.appendingPathComponent("ids.json")
        let tokenizerURL = folder.appendingPathComponent("tokenizer.json")
        try JSONEncoder().encode(corpus).write(to: corpusURL)
        try JSONEncoder().encode(encoded).write(to: idsURL)
        try tokenizer.save(to: tokenizerURL)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", Self.huggingFaceScript, corpusURL.path, idsURL.path, tokenizerURL.path,
                             String(vocabularySize), String(passes)]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let hf = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let train = hf["train_s"] as? Double, let cold = hf["encode_cold_mbs"] as? Double,
              let warm = hf["encode_warm_mbs"] as? Double, let batch = hf["encode_batch_mbs"] as? Double,
              let mismatches = hf["mismatched_rows"] as? Int, let vocab = hf["vocab_size"] as? Int,
              let common = hf["common_vocab"] as? Int else {
            print("HuggingFace comparison failed (exit \(process.terminationStatus)); see the Python error above")
            return
        }
        print("huggingface tokenizers \(hf["version"] ?? "?"): train \(format(train)) s, encode \(format(cold)) MB/s "
              + "first pass, \(format(warm)) MB/s best (encode() per row, 1 thread), \(format(batch)) MB/s encode_batch (all cores)")
        print("ratio ours/hf: training speed \(format(train / ours.train))x, encode \(format(ours.encodeWarm / warm))x "
              + "(1 thread vs encode() per row), \(format(ours.encodeParallel / batch))x (all cores vs encode_batch)")
        print("hf reading our tokenizer.json: \(mismatches) of \(corpus.count) rows encode differently; "
              + "hf-trained vocabulary \(vocab), \(common) tokens in common with ours")
    }

    private func format(_ value: Double) -> String { String(format: "%.2f", value) }

    /// The Python side: argv = corpus.json, ids.json, tokenizer.json, vocabulary size, passes; prints one JSON object.
    /// It trains HuggingFace's BPE with the same pre-tokenizer, specials, vocabulary size and minimum pair count.
    static let huggingFaceScript = #"""
import json, sys, time
import tokenizers
from tokenizers import Tokenizer, models, pre_tokenizers, decoders, trainers
corpus_path, ids_path, ours_path, vocab_size, passes = sys.argv[1:6]
corpus = json.load(open(corpus_path)); ids = json.load(open(ids_path))
mb = sum(len(r.encode()) for r in corpus) / 1e6
specials = ["<|pad|>", "<|eos|>", "<|system|>", "<|user|>", "<|assistant|>", "<|end|>", "<|image|>"]
tok = Tokenizer(models.BPE())
tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Digits(individual_digits=True),
                                             pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)])
tok.decoder = decoders.ByteLevel()
trainer = trainers.BpeTrainer(vocab_size=int(vocab_size), min_frequency=2, special_tokens=specials,
                              initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
t = time.perf_counter(); tok.train_from_iterator(corpus, trainer=trainer, length=len(corpus)); train_s = time.perf_counter() - t
def timed(f):
    t = time.perf_counter(); f(); return time.perf_counter() - t
cold = timed(lambda: [tok.encode(r) for r in corpus])
warm = min(timed(lambda: [tok.encode(r) for r in corpus]) for _ in range(int(passes)))
batch = min(timed(lambda: tok.encode_batch(corpus)) for _ in range(int(passes)))
ours = Tokenizer.from_file(ours_path)
theirs = ours.encode_batch(corpus)
mismatched = sum(1 for e, mine in zip(theirs, ids) if e.ids != mine)
common = len(set(tok.get_vocab()) & set(ours.get_vocab()))
print(json.dumps({"version": tokenizers.__version__, "train_s": train_s, "encode_cold_mbs": mb / cold,
                  "encode_warm_mbs": mb / warm, "encode_batch_mbs": mb / batch, "mismatched_rows": mismatched,
                  "vocab_size": tok.get_vocab_size(), "common_vocab": common}))
"""#
}

/// Rows shaped like the student's data: chart captions, LLaVA-style questions, short rationales with arithmetic.
enum SyntheticRows {
    /// `count` rows from a fixed-seed generator, the same on every run.
    static func make(count: Int) -> [String] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        let colors = ["red", "blue", "green", "yellow", "purple", "orange", "black", "white"]
        let shapes = ["bar", "circle", "square", "triangle", "star"]
        let words = """
            first count the objects then compare their colours because each chart shows values left right above below
            largest smallest total difference between number shapes image question answer therefore step look
            carefully notice bigger smaller equal same different another remaining visible hidden counting adding
            subtracting result final check again since both only more fewer than most least each every which where
            """.split(whereSeparator: \.isWhitespace).map(String.init)
        let questions = ["How many", "What is the value of the", "Which is larger, the", "What is the sum of the"]
        return (0..<count).map { _ in
            let a = colors[next(colors.count)], b = colors[next(colors.count)]
            let shape = shapes[next(shapes.count)]
            let x = next(20), y = next(20)
            switch next(5) {
            case 0: return "Bars: \(a) \(x), \(b) \(y), green \(next(10))."
            case 1: return "<image>\n\(questions[next(questions.count)]) \(a) \(shape)s?"
            case 2: return "The \(a) \(shape) is \(x) and the \(b) \(shape) is \(y), so \(x) + \(y) = \(x + y)."
            case 3: return "\(x) - \(y) = \(x - y). Answer: \(max(x, y))"
            default:
                // Free-form rationale words, so the vocabulary has enough distinct pairs to reach the target size.
                let sentence = (0..<(6 + next(8))).map { _ in words[next(words.count)] }.joined(separator: " ")
                return sentence.prefix(1).uppercased() + sentence.dropFirst() + "."
            }
        }
    }
}
