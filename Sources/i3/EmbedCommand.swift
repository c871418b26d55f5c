import ArgumentParser
import Foundation
import I3Encoder

/// `i3 embed`: one text per input line in, one vector (or token-id list) per line out, in order.
struct Embed: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Encode texts (one per line) into vectors with the encoder.",
        discussion: """
        Reads a file (or standard input) with one text per line; with --jsonl-input each line is a
        JSON string, so texts may contain newlines and tabs. Writes one vector per input line, in
        order: a JSON array per line (jsonl) or .fvecs records. Invalid UTF-8 bytes are replaced by
        U+FFFD (which the tokenizer drops). --tokens writes the token ids instead.
        """)

    @Option(help: "sentence-transformers model directory (default: $I3_MODEL_DIR or .models/all-MiniLM-L6-v2).")
    var model: String?

    @Option(help: "I^3 head safetensors applied to passages (with --model).")
    var head: String?

    @Option(help: "Full I^3 checkpoint (safetensors from tools/convert_i3_checkpoint.py); needs --vocab.")
    var checkpoint: String?

    @Option(help: "vocab.txt for --checkpoint.")
    var vocab: String?

    @Flag(help: "Encode as queries.")
    var queries = false

    @Flag(help: "Encode as passages (the default).")
    var passages = false

    @Flag(help: "Write token ids (with [CLS]/[SEP]) instead of vectors.")
    var tokens = false

    @Option(help: "Output format: jsonl or fvecs.")
    var format: OutputFormat = .jsonl

    @Flag(help: "Each input line is a JSON string.")
    var jsonlInput = false

    @Option(help: "Sequences per forward pass.")
    var batchSize = 32

    @Option(help: "Worker threads (0 = all cores).")
    var threads = 0

    @Option(name: .shortAndLong, help: "Output file (default: standard output).")
    var output: String?

    @Argument(help: "Input file (default: standard input).")
    var input: String?

    enum OutputFormat: String, ExpressibleByArgument { case jsonl, fvecs }

    func validate() throws {
        if queries && passages { throw ValidationError("--queries and --passages exclude each other") }
        if tokens && format == .fvecs { throw ValidationError("--tokens writes jsonl only") }
        if checkpoint != nil && (model != nil || head != nil) {
            throw ValidationError("--checkpoint excludes --model and --head")
        }
        if checkpoint != nil && vocab == nil { throw ValidationError("--checkpoint needs --vocab") }
    }

    func run() throws {
        let options = EncoderOptions(batchSize: batchSize, threads: threads)
        let encoder: DualEncoder
        if let ckpt = checkpoint, let vocab {
            encoder = try DualEncoder(i3Checkpoint: URL(fileURLWithPath: ckpt), vocabulary: URL(fileURLWithPath: vocab),
                                      options: options)
        } else {
            let dir = model ?? ProcessInfo.processInfo.environment["I3_MODEL_DIR"] ?? ".models/all-MiniLM-L6-v2"
            encoder = try DualEncoder(modelDirectory: URL(fileURLWithPath: dir), head: head.map { URL(fileURLWithPath: $0) },
                                      options: options)
        }
        let data: Data
        if let input {
            guard let h = FileHandle(forReadingAtPath: input) else {
                throw ValidationError("cannot read input file \(input)")
            }
            data = h.readDataToEndOfFile()
            try? h.close()
        } else {
            data = FileHandle.standardInput.readDataToEndOfFile()
        }
        let texts = try EmbedInput.lines(data, json: jsonlInput)
        let sink: FileHandle
        if let output {
            guard FileManager.default.createFile(atPath: output, contents: nil), let h = FileHandle(forWritingAtPath: output) else {
                throw ValidationError("cannot write output file \(output)")
            }
            sink = h
        } else {
            sink = FileHandle.standardOutput
        }
        defer { if output != nil { try? sink.close() } }

        let chunk = 4096
        for start in stride(from: 0, to: texts.count, by: chunk) {
            let part = Array(texts[start..<min(texts.count, start + chunk)])
            var out = Data()
            if tokens {
                for t in part {
                    let ids = queries ? encoder.tokenizeQuery(t) : encoder.tokenize(t)
                    out.append(contentsOf: Array("[\(ids.map(String.init).joined(separator: ","))]\n".utf8))
                }
            } else {
                let vectors = queries ? try encoder.encodeQueries(part) : try encoder.encodePassages(part)
                for v in vectors {
                    switch format {
                    case .jsonl:
                        out.append(contentsOf: Array("[\(v.map { "\($0)" }.joined(separator: ","))]\n".utf8))
                    case .fvecs:
                        withUnsafeBytes(of: Int32(v.count).littleEndian) { out.append(contentsOf: $0) }
                        for x in v { withUnsafeBytes(of: x.bitPattern.littleEndian) { out.append(contentsOf: $0) } }
                    }
                }
            }
            sink.write(out)
        }
    }
}

/// Splits `i3 embed` input into texts.
enum EmbedInput {
    /// One text per line (a trailing newline does not add an empty text; CRLF is accepted).
    /// With `json`, each line must be one JSON string.
    static func lines(_ data: Data, json: Bool) throws -> [String] {
        let text = String(decoding: data, as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { l in
            l.hasSuffix("\r") ? String(l.dropLast()) : String(l)
        }
        if lines.last == "" { lines.removeLast() }
        guard json else { return lines }
        return try lines.enumerated().map { (i, line) in
            guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8), options: .fragmentsAllowed),
                  let s = obj as? String else {
                throw ValidationError("input line \(i + 1) is not a JSON string")
            }
            return s
        }
    }
}
