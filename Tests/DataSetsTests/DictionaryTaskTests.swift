import Foundation
import Testing
@testable import DataSets
import TestSupport

@Suite struct DictionaryTaskTests {
    @Test func fnv1aAndSplit() {
        #expect(FNV1a.hash64("") == 0xcbf2_9ce4_8422_2325)
        #expect(FNV1a.hash64("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(FNV1a.hash64("foobar") == 0x8594_4171_f739_67e8)
        for w in ["aardvark", "zebra", "maser"] {
            let expected: DictionaryTask.Split = [8: .dev, 9: .test][FNV1a.hash64(w) % 10] ?? .train
            #expect(DictionaryTask.split(of: w) == expected)
            #expect(DictionaryTask.split(of: w.uppercased()) == expected)
        }
    }

    @Test func dictdNumbers() {
        #expect(Dictd.decodeNumber("A") == 0)
        #expect(Dictd.decodeNumber("BA") == 64)
        #expect(Dictd.decodeNumber("CDxmQ") == ((((2 * 64 + 3) * 64 + 49) * 64 + 38) * 64 + 16))
        #expect(Dictd.decodeNumber("a-b") == nil)
    }

    @Test func gcideMarkupBecomesPlainText() {
        let article = """
        Aardvark \\Aard"vark`\\ ([aum]rd"v[aum]rk`), n. [D., earth-pig.]
           (Zool.)
           An edentate mammal, of the genus {Orycteropus}.
           [1913 Webster]
        """
        let (title, body) = GCIDEText.split(article)
        #expect(title == "Aardvark")
        #expect(body == "(ard\"vark`), n. [D., earth-pig.] (Zool.) An edentate mammal, of the genus Orycteropus.")
        #expect(GCIDEText.isFromWordNet("x\n [WordNet 1.5]\n"))
        #expect(!GCIDEText.isFromWordNet("x\n [1913 Webster]\n"))
    }

    /// A miniature GCIDE + WordNet: checks the pair rules and the files written.
    @Test func buildsTheTaskFromMiniatureSources() throws {
        let dir = try TemporaryDirectory()
        let articles = [
            ("Aardvark", "Aardvark \\Aard\"vark\\, n. An African ant-eating mammal.\n   [1913 Webster]\n"),
            ("Copied", "Copied \\Copied\\ n. the copy.\n   [WordNet 1.5]\n"),
            ("Dog", "Dog \\Dog\\, n. A domestic animal.\n"),
            ("Dog", "Dog \\Dog\\, v. t. To follow closely.\n"),
            ("Zebra", "Zebra \\Ze\"bra\\, n. A striped horse.\n"),
        ]
        var dict = "00-database-url\n   x\n"
        var index = "00-database-url\tA\tB\n"
        let b64 = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        func enc(_ v: Int) -> String {
            var v = v, s = ""
            repeat { s = String(b64[v % 64]) + s; v /= 64 } while v > 0
            return s
        }
        for (h, a) in articles {
            index += "\(h)\t\(enc(dict.utf8.count))\t\(enc(a.utf8.count))\n"
            dict += a
        }
        try writeText(dict, dir.path("g.dict"))
        try writeText(index, dir.path("g.index"))
        let wn = dir.path("wn")
        try FileManager.default.createDirectory(at: wn, withIntermediateDirectories: true)
        try writeText("""
          1 This software and database is being provided
        00000001 05 n 01 aardvark 0 000 | nocturnal burrowing mammal of Africa; "an aardvark ate"
        00000002 05 n 01 copied 0 000 | a thing copied
        00000003 05 n 01 dog 0 000 | a member of the genus Canis
        00000004 05 n 01 zebra 0 000 | a zebra-like striped animal
        00000005 05 n 02 Zebra 0 zebra 0 000 | a second sense makes zebra polysemous

        """, wn.appendingPathComponent("data.noun"))
        for p in ["verb", "adj", "adv"] { try writeText("", wn.appendingPathComponent("data.\(p)")) }
        var src = DictionaryTask.Sources()
        src.gcideIndex = dir.path("g.index")
        src.gcideDictionary = dir.path("g.dict")
        src.wordNetDirectory = wn
        let out = dir.path("task")
        let st = try DictionaryTask.build(sources: src, outDirectory: out)
        #expect(st.gcideArticles == 5)
        #expect(st.wordNetArticlesExcluded == 1)
        #expect(st.collectionArticles == 4)
        // aardvark: kept. copied: article from WordNet 1.5. dog: two GCIDE entries. zebra: polysemous.
        #expect(st.pairs == 1)
        #expect(st.pairsDroppedArticleFromWordNet == 1)
        let split = DictionaryTask.split(of: "aardvark").rawValue
        let q = try TrecFiles.readQueries(out.appendingPathComponent("queries.\(split).tsv"))
        #expect(q == [Query(id: "aardvark", text: "nocturnal burrowing mammal of Africa")])
        let qrels = try TrecFiles.readQrels(out.appendingPathComponent("qrels.\(split).tsv"))
        let doc = try #require(qrels["aardvark"]?.keys.first)
        let collection = try String(contentsOf: out.appendingPathComponent("collection.tsv"), encoding: .utf8)
        #expect(collection.contains("\(doc)\tAardvark\tn. An African ant-eating mammal.\n"))
        #expect(!collection.contains("the copy"))
    }
}
