import Foundation

/// One query: id and text.
public struct Query: Sendable, Hashable {
    public var id: String
    public var text: String
    public init(id: String, text: String) { self.id = id; self.text = text }
}

/// Relevance judgments: query id → (document id → relevance grade). Grades ≥ 1 count as relevant.
public typealias Qrels = [String: [String: Int]]

/// One line of a TREC run: a ranked document for a query.
public struct RunEntry: Sendable, Hashable {
    public var queryID: String
    public var documentID: String
    public var rank: Int
    public var score: Double
    public init(queryID: String, documentID: String, rank: Int, score: Double) {
        self.queryID = queryID; self.documentID = documentID; self.rank = rank; self.score = score
    }
}

/// Reading and writing the standard text formats: query TSV, TREC qrels, TREC run files.
public enum TrecFiles {
    /// Reads `qid<TAB>text` lines (MS MARCO `queries.tsv`). Blank lines are ignored.
    public static func readQueries(_ url: URL) throws -> [Query] {
        var lines = try LineReader(url: url)
        var out: [Query] = []
        var seen = Set<String>()
        while let item = try lines.next() {
            switch item {
            case let .overLong(n, len, _):
                throw DataSetError.malformedLine(path: url.path, line: n, reason: "line too long (\(len) bytes)")
            case let .line(l):
                if l.bytes.isEmpty { continue }
                guard let s = String(validating: l.bytes, as: UTF8.self) else {
                    throw DataSetError.malformedLine(path: url.path, line: l.number, reason: "invalid UTF-8")
                }
                if s.allSatisfy({ $0.isWhitespace }) { continue }
                let cols = s.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)
                guard cols.count == 2 else {
                    throw DataSetError.malformedLine(path: url.path, line: l.number, reason: "expected qid<TAB>query text")
                }
                let id = cols[0].trimmingCharacters(in: .whitespaces)
                let text = cols[1].trimmingCharacters(in: .whitespaces)
                guard !id.isEmpty, !text.isEmpty else {
                    throw DataSetError.malformedLine(path: url.path, line: l.number, reason: "empty query id or text")
                }
                guard !id.contains(where: { $0.isWhitespace }) else {
                    throw DataSetError.malformedLine(path: url.path, line: l.number, reason: """
                        query id "\(id)" contains whitespace (TREC run files separate fields by whitespace)
                        """)
                }
                guard seen.insert(id).inserted else {
                    throw DataSetError.malformedLine(path: url.path, line: l.number, reason: "duplicate query id \(id)")
                }
                out.append(Query(id: id, text: text))
            }
        }
        return out
    }

    /// Writes `qid<TAB>text` lines.
    public static func writeQueries(_ queries: [Query], to url: URL) throws {
        try write(queries.map { "\($0.id)\t\($0.text)\n" }.joined(), to: url)
    }

    /// Reads TREC qrels: `qid iter docid relevance` separated by tabs or spaces (MS MARCO `qrels.*.tsv`
    /// uses tabs, trec_eval spaces).
    public static func readQrels(_ url: URL) throws -> Qrels {
        var out: Qrels = [:]
        try forEachFieldLine(url) { f, line in
            guard f.count == 4, let rel = Int(f[3]) else {
                throw DataSetError.malformedLine(path: url.path, line: line,
                                                reason: "expected 'qid iteration docid relevance', got \(f.count) fields")
            }
            out[String(f[0]), default: [:]][String(f[2])] = rel
        }
        return out
    }

    /// Calls `body` with the whitespace-separated fields (tabs or spaces) and the 1-based line number of
    /// every non-blank line of `url`; over-long lines and invalid UTF-8 are errors naming the line.
    private static func forEachFieldLine(_ url: URL, _ body: ([Substring], Int) throws -> Void) throws {
        var lines = try LineReader(url: url)
        while let item = try lines.next() {
            guard case let .line(l) = item else {
                if case let .overLong(n, _, _) = item {
                    throw DataSetError.malformedLine(path: url.path, line: n, reason: "line too long")
                }
                continue
            }
            guard let s = String(validating: l.bytes, as: UTF8.self) else {
                throw DataSetError.malformedLine(path: url.path, line: l.number, reason: "invalid UTF-8")
            }
            let f = s.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if f.isEmpty { continue }
            try body(f, l.number)
        }
    }

    /// Writes qrels as `qid<TAB>0<TAB>docid<TAB>rel`, sorted by query id then document id.
    public static func writeQrels(_ qrels: Qrels, to url: URL) throws {
        var s = ""
        for q in qrels.keys.sorted() {
            for (d, r) in qrels[q, default: [:]].sorted(by: { $0.key < $1.key }) { s += "\(q)\t0\t\(d)\t\(r)\n" }
        }
        try write(s, to: url)
    }

    /// Reads a TREC run: `qid Q0 docid rank score tag` (tabs or spaces).
    public static func readRun(_ url: URL) throws -> [String: [RunEntry]] {
        var out: [String: [RunEntry]] = [:]
        try forEachFieldLine(url) { f, line in
            guard f.count == 6, let rank = Int(f[3]), let score = Double(f[4]), score.isFinite else {
                throw DataSetError.malformedLine(path: url.path, line: line,
                                                reason: "expected 'qid Q0 docid rank score tag' with a numeric rank and score")
            }
            out[String(f[0]), default: []].append(RunEntry(queryID: String(f[0]), documentID: String(f[2]), rank: rank, score: score))
        }
        return out
    }

    /// One run line in TREC format: `qid Q0 docid rank score tag` (space separated).
    public static func runLine(_ e: RunEntry, tag: String) -> String {
        "\(e.queryID) Q0 \(e.documentID) \(e.rank) \(String(format: "%.6f", e.score)) \(tag)\n"
    }

    /// Writes a run file.
    public static func writeRun(_ run: [String: [RunEntry]], tag: String, to url: URL) throws {
        var s = ""
        for q in run.keys.sorted() { for e in run[q, default: []] { s += runLine(e, tag: tag) } }
        try write(s, to: url)
    }

    static func write(_ s: String, to url: URL) throws {
        do { try s.write(to: url, atomically: true, encoding: .utf8) } catch {
            throw DataSetError.io(path: url.path, reason: "cannot write: \(error.localizedDescription)")
        }
    }
}
