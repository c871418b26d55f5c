import Foundation

/// A text with an id (a passage of the collection or a query).
public struct IdentifiedText: Sendable, Hashable {
    public var id: String
    public var text: String
    public init(id: String, text: String) { self.id = id; self.text = text }
}

/// What training reads: the passage collection, training queries and their qrels (MS MARCO style:
/// query id → passage id → relevance; relevance > 0 counts as a positive).
public struct TrainingCorpus: Sendable {
    public var passages: [IdentifiedText]
    public var queries: [IdentifiedText]
    public var qrels: [String: [String: Int]]
    public init(passages: [IdentifiedText], queries: [IdentifiedText], qrels: [String: [String: Int]]) {
        self.passages = passages
        self.queries = queries
        self.qrels = qrels
    }

    /// For each query, the indices of its positive passages, after checking that every query has one
    /// and that every judged passage is in the collection (typed errors list the first offenders).
    public func positives() throws -> [[Int]] {
        guard !passages.isEmpty else { throw TrainingError.emptyTrainingSet("the collection has no passages") }
        guard !queries.isEmpty else { throw TrainingError.emptyTrainingSet("there are no training queries") }
        var index: [String: Int] = [:]
        for (i, p) in passages.enumerated() { index[p.id] = i }
        var unknown: [String] = [], missing: [String] = []
        var out: [[Int]] = []
        for q in queries {
            let judged = qrels[q.id] ?? [:]
            for pid in judged.keys.sorted() where index[pid] == nil { unknown.append("\(q.id) → \(pid)") }
            let pos = judged.filter { $0.value > 0 }.keys.sorted().compactMap { index[$0] }
            if judged.filter({ $0.value > 0 }).isEmpty { missing.append(q.id) }
            out.append(pos)
        }
        guard unknown.isEmpty else { throw TrainingError.unknownPassages(count: unknown.count, examples: Array(unknown.prefix(3))) }
        guard missing.isEmpty else { throw TrainingError.queriesWithoutQrels(count: missing.count, examples: Array(missing.prefix(3))) }
        return out
    }
}

/// One training query, tokenised: its positives and its mined hard negatives (passage indices).
public struct TrainingExample: Sendable, Equatable {
    public var query: [Int32]
    public var positives: [Int]
    public var hardNegatives: [Int]
}

/// A tokenised training set: passage token ids and the examples.
public struct TrainingSet: Sendable {
    public var passages: [[Int32]]
    public var examples: [TrainingExample]
    public init(passages: [[Int32]], examples: [TrainingExample]) {
        self.passages = passages
        self.examples = examples
    }
}
