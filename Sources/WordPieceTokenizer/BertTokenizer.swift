import Foundation

/// A BERT WordPiece tokenizer (uncased), identical in output to Hugging Face `BertTokenizer` /
/// `BertTokenizerFast` with `do_lower_case=True`.
///
/// `encode` returns ids framed by `[CLS]` … `[SEP]`, truncated to `maxLength` ids in total. Special
/// token strings written in the text (`[CLS]`, `[SEP]`, `[PAD]`, `[UNK]`, `[MASK]`, case-sensitive)
/// map to their ids, as Hugging Face's added-token matching does.
public struct BertTokenizer: Sendable {
    /// The vocabulary.
    public let vocabulary: Vocabulary
    /// Ids of the special tokens.
    public let unknownID: Int32, classID: Int32, separatorID: Int32, padID: Int32
    /// `[MASK]`, when the vocabulary has it.
    public let maskID: Int32?
    private let basic: BasicTokenizer
    private let wordPiece: WordPiece
    private let specials: [(scalars: [Unicode.Scalar], id: Int32)]

    /// Creates a tokenizer over `vocabulary`; `[UNK]`, `[CLS]`, `[SEP]` and `[PAD]` must exist.
    public init(vocabulary: Vocabulary, lowercase: Bool = true, stripAccents: Bool = true) throws {
        func need(_ t: String) throws -> Int32 {
            guard let id = vocabulary.id(t) else {
                throw TokenizerError.missingSpecialToken(token: t, path: vocabulary.source)
            }
            return id
        }
        self.vocabulary = vocabulary
        unknownID = try need("[UNK]")
        classID = try need("[CLS]")
        separatorID = try need("[SEP]")
        padID = try need("[PAD]")
        maskID = vocabulary.id("[MASK]")
        basic = BasicTokenizer(lowercase: lowercase, stripAccents: stripAccents)
        wordPiece = WordPiece(vocabulary: vocabulary, unknownID: unknownID)
        specials = ["[CLS]", "[SEP]", "[PAD]", "[UNK]", "[MASK]"].compactMap { t in
            vocabulary.id(t).map { (Array(t.unicodeScalars), $0) }
        }
    }

    /// Reads `vocab.txt` and creates the tokenizer.
    public init(vocabularyURL: URL) throws {
        try self.init(vocabulary: Vocabulary(contentsOf: vocabularyURL))
    }

    /// Word-piece ids of `text` without `[CLS]`/`[SEP]`, at most `limit` of them.
    public func wordPieceIDs(_ text: String, limit: Int = .max) -> [Int32] {
        var out: [Int32] = []
        guard limit > 0 else { return out }
        let scalars = Array(text.unicodeScalars)
        scalars.withUnsafeBufferPointer { s in
            var segmentStart = 0
            var i = 0
            func run(_ r: Range<Int>) -> Bool {
                basic.forEachWord(s, in: r) { word in
                    wordPiece.append(word, to: &out)
                    return out.count < limit
                }
            }
            while i < s.count {
                if s[i] == "[", let (len, id) = special(at: i, in: s) {
                    if !run(segmentStart..<i) { break }
                    out.append(id)
                    if out.count >= limit { break }
                    i += len
                    segmentStart = i
                    continue
                }
                i += 1
            }
            if segmentStart < s.count, out.count < limit { _ = run(segmentStart..<s.count) }
        }
        if out.count > limit { out.removeSubrange(limit...) }
        return out
    }

    /// Ids with `[CLS]` first and `[SEP]` last, truncated to `maxLength` ids in total (at least 2).
    public func encode(_ text: String, maxLength: Int = 512) -> [Int32] {
        let body = wordPieceIDs(text, limit: max(0, maxLength - 2))
        var out = [Int32]()
        out.reserveCapacity(body.count + 2)
        out.append(classID)
        out.append(contentsOf: body)
        out.append(separatorID)
        return out
    }

    /// Encodes `texts` and pads them to the longest one: ids and attention masks (1 = token, 0 = pad).
    public func encodeBatch(_ texts: [String], maxLength: Int = 512) -> TokenBatch {
        TokenBatch(sequences: texts.map { encode($0, maxLength: maxLength) }, padID: padID)
    }

    /// Token strings of `ids` (unknown ids become `[UNK]`).
    public func tokens(_ ids: [Int32]) -> [String] {
        ids.map { Int($0) >= 0 && Int($0) < vocabulary.count ? vocabulary.tokens[Int($0)] : "[UNK]" }
    }

    private func special(at i: Int, in s: UnsafeBufferPointer<Unicode.Scalar>) -> (Int, Int32)? {
        for (t, id) in specials where i + t.count <= s.count {
            var match = true
            for k in 0..<t.count where s[i + k] != t[k] { match = false; break }
            if match { return (t.count, id) }
        }
        return nil
    }
}
