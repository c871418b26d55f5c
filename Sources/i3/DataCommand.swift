import ArgumentParser
import DataSets
import Foundation
import I3Retriever

/// `i3 data dictionary`: builds the GCIDE/WordNet retrieval task.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Build evaluation data sets.",
        subcommands: [DictionaryData.self])
}

struct DictionaryData: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dictionary",
        abstract: "Build the dictionary task: GCIDE articles as passages, WordNet definitions as queries.",
        discussion: """
        Needs the Debian packages dict-gcide and wordnet-base (scripts/install-deps.sh).
        Writes collection.tsv (id, title, text), queries.{train,dev,test}.tsv, qrels.{train,dev,test}.tsv
        and task.json (counts). Split: FNV-1a 64 of the word mod 10: 0-7 train, 8 dev, 9 test.
        """)

    @Option(name: .long, help: "Output directory.")
    var out: String

    @Option(name: .long, help: "Collection size: 'all', or a number of articles (every test-relevant article plus hashed distractors).")
    var passages: String = "all"

    @Option(name: .long, help: "GCIDE index file.")
    var gcideIndex = "/usr/share/dictd/gcide.index"

    @Option(name: .long, help: "GCIDE dictionary file (.dict or .dict.dz).")
    var gcideDict = "/usr/share/dictd/gcide.dict.dz"

    @Option(name: .long, help: "WordNet directory with data.{noun,verb,adj,adv}.")
    var wordnet = "/usr/share/wordnet"

    func run() throws {
        var limit: Int? = nil
        if passages != "all" {
            guard let n = Int(passages), n > 0 else {
                throw ValidationError("--passages must be 'all' or a positive number, got \(passages)")
            }
            limit = n
        }
        var src = DictionaryTask.Sources()
        src.gcideIndex = URL(fileURLWithPath: gcideIndex)
        src.gcideDictionary = URL(fileURLWithPath: gcideDict)
        src.wordNetDirectory = URL(fileURLWithPath: wordnet)
        for u in [src.gcideIndex, src.gcideDictionary, src.wordNetDirectory.appendingPathComponent("data.noun")]
        where !FileManager.default.fileExists(atPath: u.path) {
            throw ValidationError("\(u.path) is missing: install dict-gcide and wordnet-base (scripts/install-deps.sh)")
        }
        let st = try DictionaryTask.build(sources: src, outDirectory: URL(fileURLWithPath: out), passageLimit: limit) {
            FileHandle.standardError.write(Data(("  " + $0 + "\n").utf8))
        }
        print("""
        dictionary task written to \(out)
          GCIDE index entries           \(st.gcideIndexEntries)
          GCIDE articles                \(st.gcideArticles)
          excluded (from WordNet 1.5)   \(st.wordNetArticlesExcluded)
          excluded (empty after markup) \(st.emptyArticlesExcluded)
          collection articles           \(st.collectionArticles)
          query-article pairs           \(st.pairs)  (train \(st.train), dev \(st.dev), test \(st.test))
          written: passages \(st.passagesWritten), queries train \(st.trainWritten), dev \(st.devWritten), test \(st.testWritten)
        """)
    }
}
