/// Greedy longest-match-first WordPiece, as `transformers` `WordpieceTokenizer.tokenize`:
/// continuation pieces carry the `##` prefix, a word with an unmatchable part becomes one
/// `[UNK]`, and a word longer than `maxInputCharactersPerWord` (100) becomes `[UNK]`.
struct WordPiece: Sendable {
    let vocabulary: Vocabulary
    let unknownID: Int32
    var maxInputCharactersPerWord = 100

    /// Appends the ids of `word` to `out`.
    func append(_ word: UnsafeBufferPointer<Unicode.Scalar>, to out: inout [Int32]) {
        let n = word.count
        if n == 0 { return }
        if n > maxInputCharactersPerWord { out.append(unknownID); return }
        let mark = out.count
        var start = 0
        var candidate = String.UnicodeScalarView()
        while start < n {
            var end = min(n, start + vocabulary.longestTokenLength)
            var found: Int32?
            while start < end {
                candidate.removeAll(keepingCapacity: true)
                if start > 0 { candidate.append("#"); candidate.append("#") }
                candidate.append(contentsOf: word[start..<end])
                if let id = vocabulary.ids[String(candidate)] { found = id; break }
                end -= 1
            }
            guard let id = found else {
                out.removeSubrange(mark...)
                out.append(unknownID)
                return
            }
            out.append(id)
            start = end
        }
    }
}
