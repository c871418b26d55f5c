import ArgumentParser
import CBLAS
import Foundation
import I3Encoder
import I3Training
import WordPieceTokenizer

/// `I3Bench train-step`: forward + backward throughput of one dual-encoder training step (shared
/// tower, mean pooling + L2, InfoNCE over in-batch + hard negatives) against PyTorch on the same
/// model, batch shapes, token ids and thread count (tools/train/bench_torch_step.py), in one run.
struct TrainStepBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-step",
        abstract: "Training-step (forward + backward) tokens/s vs PyTorch on the same model, batch and threads.")

    @Option(help: "sentence-transformers model directory.")
    var model = ProcessInfo.processInfo.environment["I3_MODEL_DIR"] ?? ".models/all-MiniLM-L6-v2"
    @Option(help: "Queries per batch.") var queries = 16
    @Option(help: "Tokens per query (with [CLS]/[SEP]).") var queryLength = 16
    @Option(help: "Passages per query (positive + hard negatives).") var group = 2
    @Option(help: "Tokens per passage.") var passageLength = 128
    @Option(help: "Threads for both sides.") var threads = 2
    @Option(help: "Timed steps per side (after one warm-up step).") var steps = 5
    @Option(help: "Python of the peer venv (tools/setup_reference_venv.sh st).") var python = ".venv-st/bin/python"
    @Flag(help: "Skip the PyTorch side.") var noPeer = false

    /// Token ids shared with the Python script: (i·7919 + j·104729) mod (vocab − 1000) + 1000.
    static func ids(_ n: Int, _ length: Int, offset: Int, vocabulary: Int) -> [[Int32]] {
        (0..<n).map { i in
            [101] + (0..<(length - 2)).map { j in Int32(((i + offset) * 7919 + j * 104729) % (vocabulary - 1000) + 1000) } + [102]
        }
    }

    func run() throws {
        let dir = URL(fileURLWithPath: model)
        let tok = try BertTokenizer(vocabularyURL: dir.appendingPathComponent("vocab.txt"))
        let m = try TrainableDualEncoder(baseDirectory: dir, setup: ModelSetup(), tokenizer: tok)
        let v = m.queryTower.config.vocabularySize
        let batch = TrainingBatch(queries: Self.ids(queries, queryLength, offset: 0, vocabulary: v),
                                  passages: Self.ids(queries * group, passageLength, offset: 100_000, vocabulary: v), group: group)
        let threading = ParallelChunks.enter(workers: threads)
        defer { threading.restore() }
        TrainingMemory.keepFreedBuffers()
        m.zeroGradients()
        _ = try m.accumulateGradients(batch, beta: 0)
        let start = Date()
        var loss = 0.0
        for _ in 0..<steps { m.zeroGradients(); loss = try m.accumulateGradients(batch, beta: 0).total }
        let perStep = Date().timeIntervalSince(start) / Double(steps)
        let tokens = queries * queryLength + queries * group * passageLength
        let ours = Double(tokens) / perStep
        print(String(format: "swift:   %.3f s/step, %.0f tokens/s (loss %.4f, %d tokens/step, %d threads)", perStep, ours, loss, tokens, threads))
        guard !noPeer else { return }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = ["tools/train/bench_torch_step.py", "--model", model, "--queries", "\(queries)", "--query-length",
                       "\(queryLength)", "--group", "\(group)", "--passage-length", "\(passageLength)", "--threads",
                       "\(threads)", "--steps", "\(steps)"]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0,
              let line = String(decoding: data, as: UTF8.self).split(separator: "\n").last,
              let obj = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let theirs = obj["tokens_per_second"] as? Double else {
            throw ValidationError("the PyTorch peer failed (status \(p.terminationStatus))")
        }
        print(String(format: "pytorch: %.3f s/step, %.0f tokens/s (loss %.4f, torch %@)", obj["seconds_per_step"] as? Double ?? 0,
                     theirs, obj["loss"] as? Double ?? 0, obj["torch"] as? String ?? "?"))
        print(String(format: "ratio swift/pytorch: %.2fx", ours / theirs))
    }
}
