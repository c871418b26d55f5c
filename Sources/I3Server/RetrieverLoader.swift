import Foundation
import I3Retriever

/// Opens an index directory for the server: the encoder recorded in its `retriever.json` (or the one
/// given), reused across reloads while the new index was built by the same model.
public struct RetrieverLoader: Sendable {
    private let makeEncoder: @Sendable (IndexManifest) throws -> any TextEncoding

    /// Uses `encoder(manifest)` to get the query encoder for a directory.
    public init(encoder: @escaping @Sendable (IndexManifest) throws -> any TextEncoding) {
        self.makeEncoder = encoder
    }

    /// The encoder named by the manifest (`modelPath`, `headPath`), or `model`/`head` when given, as `i3 search` does.
    public static func fromManifest(model: String? = nil, head: String? = nil) -> RetrieverLoader {
        RetrieverLoader { m in
            try EncoderLoader.load(model: model ?? m.modelPath, head: model == nil ? (head ?? m.headPath) : head)
        }
    }

    /// Opens `directory`; `previous` lends its encoder when the new manifest names the same model.
    public func open(_ directory: URL, previous: Retriever?) throws -> Retriever {
        let m = try IndexManifest.read(from: directory)
        if let p = previous, p.encoder.identity == m.modelIdentity, p.encoder.dimension == m.dimension,
           p.encoder.metric == m.metric {
            return try Retriever(directory: directory, manifest: m, encoder: p.encoder)
        }
        return try Retriever(directory: directory, manifest: m, encoder: try makeEncoder(m))
    }
}
