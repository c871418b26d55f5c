import ArgumentParser
import Foundation
import I3Retriever

/// The encoder choice when opening an existing index, shared by `i3 search` and `i3 eval`.
struct RetrieverOptions: ParsableArguments {
    @Option(name: .long, help: "Encoder model directory (default: the one recorded in the index).")
    var model: String?

    @Option(name: .long, help: "Projection head file (default: the one recorded in the index, unless --model is given).")
    var head: String?

    /// Opens the index at `dir` with `--model`/`--head`, or with the encoder recorded in the index.
    func open(_ dir: String) throws -> Retriever {
        let url = URL(fileURLWithPath: dir)
        let m = try IndexManifest.read(from: url)
        return try Retriever(directory: url, manifest: m, encoder: encoder(for: m))
    }

    /// The encoder `open` would use for the index at `dir`, checked against it, without opening the index.
    func encoder(forIndex dir: String) throws -> any TextEncoding {
        let url = URL(fileURLWithPath: dir)
        let m = try IndexManifest.read(from: url)
        let e = try encoder(for: m)
        try m.check(encoder: e, directory: url)
        return e
    }

    private func encoder(for m: IndexManifest) throws -> any TextEncoding {
        try EncoderLoader.load(model: model ?? m.modelPath, head: model == nil ? (head ?? m.headPath) : head)
    }
}
