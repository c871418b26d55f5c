import Foundation

/// The dictionary retrieval task built from two independent Debian dictionaries.
///
/// - Collection: the GCIDE articles (title = headword, text = the cleaned article), leaving out the
///   articles GCIDE copied from WordNet 1.5 (else a query would find its own text).
/// - Queries: WordNet 3.0 definitions (the gloss before any quoted example) of words that are
///   single lower-case words made of the letters a–z, monosemous (exactly one synset over all parts of
///   speech), whose headword appears exactly once in the GCIDE index (case-insensitive), whose article
///   is in the collection, and that do not occur as a word in their own definition.
/// - Qrels: the one GCIDE article of the word, grade 1. Query id = the word.
/// - Split: FNV-1a 64-bit hash of the UTF-8 word, mod 10: 0–7 train, 8 dev, 9 test.
public enum DictionaryTask {
    /// Which split a word belongs to.
    public enum Split: String, Sendable, CaseIterable { case train, dev, test }

    /// The split of `word` (lower-cased first).
    public static func split(of word: String) -> Split {
        switch FNV1a.hash64(word.lowercased()) % 10 {
        case 8: return .dev
        case 9: return .test
        default: return .train
        }
    }

    /// Where the source data lives.
    public struct Sources: Sendable {
        public var gcideIndex = URL(fileURLWithPath: "/usr/share/dictd/gcide.index")
        public var gcideDictionary = URL(fileURLWithPath: "/usr/share/dictd/gcide.dict.dz")
        public var wordNetDirectory = URL(fileURLWithPath: "/usr/share/wordnet")
        public init() {}
    }

    /// Counts reported after building.
    public struct Statistics: Sendable, Codable, Equatable {
        public var gcideIndexEntries = 0
        public var gcideArticles = 0
        public var wordNetArticlesExcluded = 0
        public var emptyArticlesExcluded = 0
        public var collectionArticles = 0
        public var candidateWords = 0
        public var pairsDroppedArticleFromWordNet = 0
        public var pairsDroppedWordInGloss = 0
        public var pairs = 0
        public var train = 0, dev = 0, test = 0
        /// Passages written to collection.tsv (all articles, or the subset).
        public var passagesWritten = 0
        /// Queries of each split written (in a subset, train/dev keep only pairs whose article is in it).
        public var trainWritten = 0, devWritten = 0, testWritten = 0
    }

    /// Builds the task into `outDirectory`: `collection.tsv` (`id<TAB>title<TAB>text`),
    /// `queries.<split>.tsv`, `qrels.<split>.tsv`, and `task.json` with the statistics.
    ///
    /// - Parameter passageLimit: when set, the collection is a subset of this many articles: every
    ///   article relevant to a test query plus distractors chosen by hash of the article id (a fixed,
    ///   reproducible choice). Train/dev queries whose article is not in the subset are left out.
    @discardableResult
    public static func build(sources: Sources = .init(), outDirectory: URL, passageLimit: Int? = nil,
                             log: (String) -> Void = { _ in }) throws -> Statistics {
        var st = Statistics()
        log("reading \(sources.gcideIndex.path)")
        let entries = try Dictd.readIndex(sources.gcideIndex)
        st.gcideIndexEntries = entries.count
        let dict = try Dictd.readDictionary(sources.gcideDictionary)
        log("read \(dict.count) bytes of GCIDE text")

        // Distinct articles in file order; ids gc000000... by order of offset.
        struct Article { var offset: Int; var length: Int; var title: String; var body: String; var excluded: Bool }
        var keyToArticle: [Int: Int] = [:]
        var articles: [Article] = []
        for e in entries.sorted(by: { $0.offset < $1.offset }) where keyToArticle[e.offset] == nil {
            guard e.offset >= 0, e.length >= 0, e.offset + e.length <= dict.count else {
                throw DataSetError.malformedSource(path: sources.gcideIndex.path,
                                                 reason: "entry \(e.headword) points past the end of the dictionary")
            }
            keyToArticle[e.offset] = articles.count
            articles.append(Article(offset: e.offset, length: e.length, title: "", body: "", excluded: false))
        }
        st.gcideArticles = articles.count
        dict.withUnsafeBytes { raw in
            for i in articles.indices {
                let bytes = UnsafeRawBufferPointer(rebasing: raw[articles[i].offset ..< articles[i].offset + articles[i].length])
                let text = String(decoding: bytes, as: UTF8.self)
                if GCIDEText.isFromWordNet(text) {
                    articles[i].excluded = true
                    st.wordNetArticlesExcluded += 1
                    continue
                }
                let (t, b) = GCIDEText.split(text)
                articles[i].title = t.isEmpty ? "" : t
                articles[i].body = b
                if b.isEmpty {
                    articles[i].excluded = true
                    st.emptyArticlesExcluded += 1
                }
            }
        }
        st.collectionArticles = articles.filter { !$0.excluded }.count
        func articleID(_ i: Int) -> String {
            let s = String(i)
            return "gc" + String(repeating: "0", count: max(0, 6 - s.count)) + s
        }

        var headwordCount: [String: Int] = [:]
        var headwordArticle: [String: Int] = [:]
        for e in entries {
            let h = e.headword.lowercased()
            headwordCount[h, default: 0] += 1
            headwordArticle[h] = keyToArticle[e.offset]
        }

        // WordNet: senses per lower-cased lemma over all parts of speech.
        var senses: [String: Int] = [:]
        var definition: [String: String] = [:]
        var original: [String: String] = [:]
        for pos in ["noun", "verb", "adj", "adv"] {
            let url = sources.wordNetDirectory.appendingPathComponent("data.\(pos)")
            log("reading \(url.path)")
            for syn in try WordNetReader.readSynsets(url) {
                var seen = Set<String>()
                for lemma in syn.lemmas {
                    let w = lemma.lowercased()
                    guard seen.insert(w).inserted else { continue }
                    senses[w, default: 0] += 1
                    definition[w] = syn.definition
                    original[w] = lemma
                }
            }
        }

        var pairs: [(word: String, article: Int, query: String, split: Split)] = []
        for (w, n) in senses where n == 1 {
            guard let lemma = original[w], lemma == w, !w.isEmpty,
                  w.utf8.allSatisfy({ $0 >= 97 && $0 <= 122 }),
                  headwordCount[w] == 1, let a = headwordArticle[w] else { continue }
            st.candidateWords += 1
            if articles[a].excluded { st.pairsDroppedArticleFromWordNet += 1; continue }
            let def = definition[w] ?? ""
            let tokens = def.lowercased().split(whereSeparator: { !($0.isLetter) })
            if def.isEmpty || tokens.contains(Substring(w)) { st.pairsDroppedWordInGloss += 1; continue }
            pairs.append((w, a, def, split(of: w)))
        }
        pairs.sort { $0.word < $1.word }
        st.pairs = pairs.count
        st.train = pairs.filter { $0.split == .train }.count
        st.dev = pairs.filter { $0.split == .dev }.count
        st.test = pairs.filter { $0.split == .test }.count

        // Collection (all, or the subset).
        var include = [Bool](repeating: false, count: articles.count)
        let live = articles.indices.filter { !articles[$0].excluded }
        if let limit = passageLimit, limit < live.count {
            var n = 0
            for p in pairs where p.split == .test && !include[p.article] { include[p.article] = true; n += 1 }
            let distractors = live.filter { !include[$0] }.sorted { FNV1a.hash64(articleID($0)) < FNV1a.hash64(articleID($1)) }
            for a in distractors.prefix(max(0, limit - n)) { include[a] = true }
        } else {
            for a in live { include[a] = true }
        }

        let fm = FileManager.default
        do { try fm.createDirectory(at: outDirectory, withIntermediateDirectories: true) } catch {
            throw DataSetError.io(path: outDirectory.path, reason: "cannot create: \(error.localizedDescription)")
        }
        let collectionURL = outDirectory.appendingPathComponent("collection.tsv")
        let tmp = outDirectory.appendingPathComponent(".collection.tsv.tmp")
        _ = fm.createFile(atPath: tmp.path, contents: nil)
        guard let out = FileHandle(forWritingAtPath: tmp.path) else {
            throw DataSetError.io(path: tmp.path, reason: "cannot open for writing")
        }
        var chunk = ""
        func clean(_ s: String) -> String {
            s.replacingOccurrences(of: "\t", with: " ").replacingOccurrences(of: "\r", with: " ")
        }
        for i in articles.indices where include[i] {
            chunk += "\(articleID(i))\t\(clean(articles[i].title))\t\(clean(articles[i].body))\n"
            st.passagesWritten += 1
            if chunk.utf8.count > 1 << 20 { out.write(Data(chunk.utf8)); chunk = "" }
        }
        out.write(Data(chunk.utf8))
        try? out.close()
        _ = try? fm.removeItem(at: collectionURL)
        do { try fm.moveItem(at: tmp, to: collectionURL) } catch {
            throw DataSetError.io(path: collectionURL.path, reason: "cannot rename: \(error.localizedDescription)")
        }

        for s in Split.allCases {
            let sel = pairs.filter { $0.split == s && include[$0.article] }
            switch s {
            case .train: st.trainWritten = sel.count
            case .dev: st.devWritten = sel.count
            case .test: st.testWritten = sel.count
            }
            try TrecFiles.writeQueries(sel.map { Query(id: $0.word, text: $0.query) },
                                       to: outDirectory.appendingPathComponent("queries.\(s.rawValue).tsv"))
            var q: Qrels = [:]
            for p in sel { q[p.word] = [articleID(p.article): 1] }
            try TrecFiles.writeQrels(q, to: outDirectory.appendingPathComponent("qrels.\(s.rawValue).tsv"))
        }
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            try enc.encode(st).write(to: outDirectory.appendingPathComponent("task.json"), options: .atomic)
        } catch {
            throw DataSetError.io(path: outDirectory.path, reason: "cannot write task.json: \(error.localizedDescription)")
        }
        return st
    }
}
