import CBLAS
import Dispatch
import Foundation
import VectorKernels
import WordPieceTokenizer

/// The per-token output of a batch of texts (late interaction, ColBERT style): for each text the
/// last hidden states of its kept tokens, L2-normalised, packed end to end.
public struct TokenVectors: Sendable {
    /// Components per token vector.
    public let dimension: Int
    /// `offsets.last! × dimension` floats, row-major; the tokens of text `i` are rows `offsets[i]..<offsets[i+1]`.
    public var vectors: [Float]
    /// `count + 1` row offsets.
    public var offsets: [Int]
    /// For passages, the dense vector of each text from the same forward pass (pooling and head as
    /// `encodePassages`), `count × dimension`; nil for queries.
    public var pooled: [Float]?

    /// Number of texts.
    public var count: Int { offsets.count - 1 }
    /// Number of token vectors in all.
    public var tokenCount: Int { offsets[offsets.count - 1] }
    /// Number of token vectors of text `i`.
    public func tokenCount(of i: Int) -> Int { offsets[i + 1] - offsets[i] }
    /// The token vectors of text `i` (`tokenCount(of: i) × dimension` floats).
    public func tokens(of i: Int) -> ArraySlice<Float> {
        vectors[(offsets[i] * dimension)..<(offsets[i + 1] * dimension)]
    }

    public init(dimension: Int, vectors: [Float], offsets: [Int], pooled: [Float]? = nil) {
        self.dimension = dimension
        self.vectors = vectors
        self.offsets = offsets
        self.pooled = pooled
    }
}

/// The query and passage layouts of the per-token output (the colbert-ai / pylate names where one exists).
public struct TokenVectorOptions: Sendable, Equatable {
    /// Query length in tokens including [CLS]/[SEP] (ColBERT's `query_maxlen`, 32); longer queries are truncated.
    public var queryLength: Int = 32
    /// Pads every query to `queryLength` with `[MASK]` tokens that attend to the real tokens but are not
    /// attended to (`do_query_expansion`, `attend_to_mask_tokens = False`); all of them take part in MaxSim.
    public var expandQueries: Bool = false
    /// Passage length in tokens including [CLS]/[SEP] (`doc_maxlen`); nil = the encoder's passage length.
    public var passageLength: Int? = nil

    public init(queryLength: Int = 32, expandQueries: Bool = false, passageLength: Int? = nil) {
        self.queryLength = queryLength
        self.expandQueries = expandQueries
        self.passageLength = passageLength
    }
}

extension DualEncoder {
    /// Python's `string.punctuation`, the characters whose WordPiece ids ColBERT drops from passages.
    static let punctuationCharacters = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"

    /// The vocabulary ids of the punctuation characters (dropped from passages; [CLS]/[SEP] are kept).
    public var punctuationIDs: Set<Int32> {
        Set(Self.punctuationCharacters.compactMap { tokenizer.vocabulary.id(String($0)) })
    }

    /// The ids a query is encoded from and how many of them are real tokens (the rest are `[MASK]`
    /// expansion): `[CLS] q… [SEP]` truncated to `options.queryLength`, then padded with `[MASK]`
    /// when `options.expandQueries`.
    public func queryTokenIDs(_ text: String, options: TokenVectorOptions = .init()) throws -> (ids: [Int32], real: Int) {
        try Self.checkLength(options.queryLength, limit: queryTower.model.config.maxPositionEmbeddings)
        var ids = tokenizer.encode(text, maxLength: options.queryLength)
        let real = ids.count
        if options.expandQueries {
            guard let mask = tokenizer.maskID else {
                throw EncoderError.tokenizer(path: tokenizer.vocabulary.source, reason: "query expansion needs a [MASK] token")
            }
            ids += Array(repeating: mask, count: options.queryLength - ids.count)
        }
        return (ids, real)
    }

    /// Per-token query vectors (no punctuation filtering on queries, as in ColBERT), one bag per text.
    public func encodeQueryTokens(_ texts: [String], options: TokenVectorOptions = .init()) throws -> TokenVectors {
        var sequences: [[Int32]] = [], real: [Int] = []
        sequences.reserveCapacity(texts.count)
        for t in texts {
            let (ids, n) = try queryTokenIDs(t, options: options)
            sequences.append(ids)
            real.append(n)
        }
        return try tokenVectors(sequences, attended: options.expandQueries ? real : nil, tower: queryTower,
                                drop: [], pooled: false)
    }

    /// Per-token passage vectors (punctuation dropped, [CLS]/[SEP] kept) and, from the same forward
    /// pass, the dense passage vectors that `encodePassages` returns (in `pooled`).
    public func encodePassageTokens(_ texts: [String], options: TokenVectorOptions = .init()) throws -> TokenVectors {
        let length = options.passageLength ?? passageTower.maxLength
        try Self.checkLength(length, limit: passageTower.model.config.maxPositionEmbeddings)
        let sequences = texts.map { tokenizer.encode($0, maxLength: length) }
        return try tokenVectors(sequences, attended: nil, tower: passageTower, drop: punctuationIDs, pooled: true)
    }

    private static func checkLength(_ n: Int, limit: Int) throws {
        guard n >= 2, n <= limit else { throw EncoderError.invalidOption("token length \(n) outside 2...\(limit)") }
    }

    /// One forward pass per batch (the shared `BertModel.forward`), then the kept rows of each sequence,
    /// normalised, and optionally the tower's pooled vector. Batches are cut in input order (the model
    /// packs sequences without padding, so sorting by length buys nothing here) and spread over workers.
    private func tokenVectors(_ sequences: [[Int32]], attended: [Int]?, tower: EncoderTower, drop: Set<Int32>,
                              pooled wantPooled: Bool) throws -> TokenVectors {
        let n = sequences.count
        let d = tower.model.config.hiddenSize
        guard n > 0 else { return TokenVectors(dimension: d, vectors: [], offsets: [0], pooled: wantPooled ? [] : nil) }
        let threads = options.threads > 0 ? options.threads : ProcessInfo.processInfo.activeProcessorCount
        let batchSize = max(1, options.batchSize)
        let batchCount = (n + batchSize - 1) / batchSize
        let workers = max(1, min(threads, batchCount))
        // BLAS stays on the loader's one thread per caller: the workers are the parallelism, and the
        // process-wide thread count is not this call's to change (other threads may be using BLAS).
        let tokenOut = SharedBuffer<[Float]>(count: batchCount, initial: [])
        let countOut = SharedBuffer<[Int]>(count: batchCount, initial: [])
        let pooledOut = SharedBuffer<[Float]>(count: batchCount, initial: [])
        let inter = max(tower.model.config.intermediateSize, tower.head?.intermediate ?? 0)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let ws = Workspace(hidden: d, intermediate: inter)
            let headWS = tower.head.map { Workspace(hidden: d, intermediate: $0.intermediate) }
            for b in stride(from: w, to: batchCount, by: workers) {
                let range = (b * batchSize)..<min(n, (b + 1) * batchSize)
                let batch = Array(sequences[range])
                let offsets = tower.model.forward(batch, workspace: ws, attended: attended.map { Array($0[range]) })
                var kept: [Float] = [], counts: [Int] = []
                kept.reserveCapacity(offsets[offsets.count - 1] * d)
                for (s, ids) in batch.enumerated() {
                    var c = 0
                    for (p, id) in ids.enumerated() where !drop.contains(id) {
                        let start = kept.count
                        kept.append(contentsOf: UnsafeBufferPointer(start: ws.x + (offsets[s] + p) * d, count: d))
                        kept.withUnsafeMutableBufferPointer { k in
                            if let base = k.baseAddress { _ = Normalization.normalize(base + start, count: d) }
                        }
                        c += 1
                    }
                    counts.append(c)
                }
                tokenOut[b] = kept
                countOut[b] = counts
                if wantPooled {
                    var p = [Float](repeating: 0, count: batch.count * d)
                    p.withUnsafeMutableBufferPointer { pb in
                        guard let pp = pb.baseAddress else { return }
                        Pooling.pool(ws.x, offsets: offsets, hidden: d, tower.pooling, into: pp)
                        if let head = tower.head, let hws = headWS {
                            var f = [Float](repeating: 0, count: batch.count * d)
                            f.withUnsafeMutableBufferPointer { fb in
                                if let fp = fb.baseAddress { head.apply(pp, count: batch.count, into: fp, workspace: hws) }
                            }
                            pp.update(from: f, count: batch.count * d)
                        }
                    }
                    pooledOut[b] = p
                }
            }
        }
        var vectors: [Float] = [], offsets = [0], pooled: [Float] = []
        vectors.reserveCapacity(sequences.reduce(0) { $0 + $1.count } * d)
        for b in 0..<batchCount {
            vectors += tokenOut[b]
            for c in countOut[b] { offsets.append(offsets[offsets.count - 1] + c) }
            if wantPooled { pooled += pooledOut[b] }
        }
        return TokenVectors(dimension: d, vectors: vectors, offsets: offsets, pooled: wantPooled ? pooled : nil)
    }
}
