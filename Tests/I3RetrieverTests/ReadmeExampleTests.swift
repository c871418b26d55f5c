import Foundation
import Testing
import I3Retriever
import TestSupport

// README snippet, compiled verbatim (between the markers).
// BEGIN README EXAMPLE
func readmeExample(collection: URL, indexDirectory: URL, encoder: any TextEncoding) throws -> [SearchHit] {
    // Build (once): encode the passages, store them, build an HNSW index, commit atomically.
    var options = IndexBuildOptions()
    options.indexType = .hnsw                      // or .flat, .ivfpq
    try IndexBuilder.build(collection: collection, output: indexDirectory, encoder: encoder, options: options)

    // Open and search; a Retriever is safe to share between threads and tasks.
    let retriever = try Retriever(directory: indexDirectory, encoder: encoder)
    let hits = try retriever.search("knowledge of an event before it occurs", k: 5)
    for hit in hits {
        print(hit.rank, hit.id, hit.score, hit.title, hit.text.prefix(60))
    }
    // Many queries at once, and a query vector computed elsewhere.
    let batch = try retriever.search(batch: ["a person who parodies", "atmospheric pressure"], k: 10)
    let vector = try encoder.encodeQueries(["deserving blame"])[0]
    let byVector = try retriever.search(vector: vector, k: 10)
    print(batch.count, byVector.count)
    return hits
}
// END README EXAMPLE

@Suite struct ReadmeExampleTests {
    @Test func readmeExampleRuns() throws {
        let dir = try TemporaryDirectory()
        let fixture = FixturePaths.root.appendingPathComponent("retriever/collection.tsv")
        let encoder = try HashedBagOfWordsEncoder(dimension: 256)
        let hits = try readmeExample(collection: fixture, indexDirectory: dir.path("index"), encoder: encoder)
        #expect(hits.count == 5)
        #expect(hits.first?.title.lowercased() == "foreknowledge")
    }
}
