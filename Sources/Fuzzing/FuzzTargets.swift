import DataSets
import Foundation
import HNSW
import I3Encoder
import I3Retriever
import IndexCore
import IVFPQ
import ShardStore
import TestSupport
import WordPieceTokenizer

/// Every reader of untrusted files in the package, as a fuzz target.
public enum FuzzTargets {
    /// All targets, by name.
    public static var all: [FuzzTarget] {
        [tsv, queries, qrels, run, vocabulary, safetensors, shardStore, flatIndex, hnswIndex, ivfpqIndex, retrieverDirectory]
    }

    static func write(_ s: String, _ dir: URL, _ name: String) throws {
        try Data(s.utf8).write(to: dir.appendingPathComponent(name))
    }

    /// `PassageTSVReader` and `CollectionScan` over a collection file.
    static let tsv = FuzzTarget(name: "tsv", slots: ["collection.tsv"], prepare: { dir in
        try FileManager.default.copyItem(at: FixturePaths.root.appendingPathComponent("retriever/collection.tsv"),
                                         to: dir.appendingPathComponent("collection.tsv"))
    }, run: { dir in
        let url = dir.appendingPathComponent("collection.tsv")
        let scan = try CollectionScan.scan(url, maxLineBytes: 4096)
        var r = try PassageTSVReader(url: url, maxLineBytes: 4096)
        while let item = try r.next() { if case let .passage(p, _, _) = item { _ = p.encoderText } }
        // As the index builder does: malformed lines refuse the file.
        if let first = scan.problems.first { throw DataSetError.malformedLine(path: first.path, line: first.line, reason: first.kind.rawValue) }
    })

    /// `TrecFiles.readQueries`.
    static let queries = FuzzTarget(name: "queries", slots: ["queries.tsv"], prepare: { dir in
        try FileManager.default.copyItem(at: FixturePaths.root.appendingPathComponent("retriever/queries.tsv"),
                                         to: dir.appendingPathComponent("queries.tsv"))
    }, run: { dir in _ = try TrecFiles.readQueries(dir.appendingPathComponent("queries.tsv")) })

    /// `TrecFiles.readQrels`.
    static let qrels = FuzzTarget(name: "qrels", slots: ["qrels.tsv"], prepare: { dir in
        try FileManager.default.copyItem(at: FixturePaths.root.appendingPathComponent("retriever/qrels.tsv"),
                                         to: dir.appendingPathComponent("qrels.tsv"))
    }, run: { dir in _ = try TrecFiles.readQrels(dir.appendingPathComponent("qrels.tsv")) })

    /// `TrecFiles.readRun`.
    static let run = FuzzTarget(name: "run", slots: ["run.trec"], prepare: { dir in
        try write((1...30).map { "q\($0 % 4) Q0 d\($0) \($0) \(Double(40 - $0) / 3) i3\n" }.joined(), dir, "run.trec")
    }, run: { dir in _ = try TrecFiles.readRun(dir.appendingPathComponent("run.trec")) })

    /// `Vocabulary` and `BertTokenizer` over a vocabulary file and a text.
    static let vocabulary = FuzzTarget(name: "vocab", slots: ["vocab.txt", "text.txt"], prepare: { dir in
        try FileManager.default.copyItem(at: FixturePaths.root.appendingPathComponent("encoder/i3_tiny/vocab.txt"),
                                         to: dir.appendingPathComponent("vocab.txt"))
        try write("Café naïve résumé: the quick brown fox, 42 times! 日本語 \u{1F600} unaffable", dir, "text.txt")
    }, run: { dir in
        let t = try BertTokenizer(vocabulary: Vocabulary(contentsOf: dir.appendingPathComponent("vocab.txt")))
        let text = String(decoding: try Data(contentsOf: dir.appendingPathComponent("text.txt")), as: UTF8.self)
        _ = t.encode(text, maxLength: 64)
        _ = t.encodeBatch([text, String(text.reversed())], maxLength: 16)
    })

    /// `SafetensorsFile`, `BertConfiguration` and the model loader, encoding one query.
    static let safetensors = FuzzTarget(name: "safetensors", slots: ["model.safetensors", "config.json", "1_Pooling/config.json"],
                                        prepare: { dir in
        try FileManager.default.removeItem(at: dir)
        try FileManager.default.copyItem(at: FixturePaths.root.appendingPathComponent("encoder/i3_tiny/st"), to: dir)
    }, run: { dir in
        let e = try DualEncoder(modelDirectory: dir)
        _ = try e.encodeQueries(["a query"])
    })

    /// `ShardReader`: manifest envelope and JSON, shard files, block index files, checksums, LZ4 frames.
    static let shardStore = FuzzTarget(name: "shard", slots: ["obj/manifest.json", "obj/text.00000.lz4", "obj/text.00000.idx",
                                                              "obj/vectors.00000.lz4", "obj/vectors.00000.idx"], prepare: { dir in
        var w = try ShardWriter(directory: dir.appendingPathComponent("obj"), kind: "fuzz", metadata: ["k": "v"])
        try w.addColumn("text", type: .utf8, blockBytes: 4096)
        try w.addColumn("vectors", type: .float32, recordLength: 4, blockBytes: 4096)
        for i in 0..<1000 {
            try w.appendRecord(string: "passage \(i) with some text", to: "text")
            try w.append(floats: [Float(i), 1, 2, 3], to: "vectors")
        }
        try w.commit()
    }, run: { dir in
        let r = try ShardReader(directory: dir.appendingPathComponent("obj"))
        _ = try r.column("text").string(record: 557)
        _ = try r.column("vectors").floats(record: 3)
        try r.verify()
        _ = try r.column("vectors").allFloats()
    })

    static func indexSlots(_ columns: [String]) -> [String] {
        ["idx/manifest.json"] + columns.flatMap { ["idx/\($0).00000.lz4", "idx/\($0).00000.idx"] }
    }

    static let vectors = TestData.gaussian(count: 300, dimension: 8, seed: 7)

    /// `FlatIndex.open` and a search.
    static let flatIndex = FuzzTarget(name: "flat", slots: indexSlots(["vectors", "ids"]), prepare: { dir in
        let f = try FlatIndex(dimension: 8, metric: .cosine)
        for i in 0..<300 { try f.add(TestData.row(vectors, i, dimension: 8), id: UInt64(i)) }
        try f.save(to: dir.appendingPathComponent("idx"), metadata: ["m": "x"])
    }, run: { dir in
        _ = try FlatIndex.open(directory: dir.appendingPathComponent("idx")).search(TestData.row(vectors, 1, dimension: 8), k: 5)
    })

    /// `HNSWIndex.open` and a search.
    static let hnswIndex = FuzzTarget(name: "hnsw", slots: indexSlots(["ids", "levels", "deleted", "vectors", "links.level0", "links.upper"]),
                                      prepare: { dir in
        let h = try HNSWIndex(dimension: 8, metric: .l2, parameters: HNSWParameters(m: 4, efConstruction: 20))
        try h.add(contentsOf: vectors, ids: (0..<300).map(UInt64.init), threads: 1)
        try h.remove(id: 5)
        try h.save(to: dir.appendingPathComponent("idx"))
    }, run: { dir in
        _ = try HNSWIndex.open(directory: dir.appendingPathComponent("idx")).search(TestData.row(vectors, 2, dimension: 8), k: 5)
    })

    /// `IVFPQIndex.open` and a re-ranked search from the vectors on disk.
    static let ivfpqIndex = FuzzTarget(name: "ivfpq", slots: indexSlots(["centroids", "codebooks", "list_sizes", "ids", "codes", "vectors"]),
                                       prepare: { dir in
        let p = try IVFPQIndex(dimension: 8, metric: .innerProduct, configuration: IVFPQConfiguration(nlist: 4, subquantizers: 2))
        try p.train(vectors)
        try p.add(contentsOf: vectors, ids: (0..<300).map(UInt64.init))
        try p.save(to: dir.appendingPathComponent("idx"))
    }, run: { dir in
        let p = try IVFPQIndex.open(directory: dir.appendingPathComponent("idx"))
        _ = try p.search(TestData.row(vectors, 3, dimension: 8), k: 5, parameters: SearchParameters(nprobe: 4, refineFactor: 4))
    })

    /// A retriever directory: `retriever.json` and the manifests of its parts, opened and searched.
    static let retrieverDirectory = FuzzTarget(name: "retriever", slots: ["index/retriever.json", "index/passages/manifest.json",
                                                                          "index/vectors/manifest.json", "index/hnsw/manifest.json"],
                                               prepare: { dir in
        var o = IndexBuildOptions()
        o.indexType = .hnsw
        try IndexBuilder.build(collection: FixturePaths.root.appendingPathComponent("retriever/collection.tsv"),
                               output: dir.appendingPathComponent("index"), encoder: HashedBagOfWordsEncoder(dimension: 32), options: o)
    }, run: { dir in
        let r = try Retriever(directory: dir.appendingPathComponent("index"), encoder: HashedBagOfWordsEncoder(dimension: 32))
        _ = try r.search("pertaining to the ear", k: 3)
    })
}
