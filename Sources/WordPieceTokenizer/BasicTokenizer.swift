import Foundation

/// BERT's BasicTokenizer (uncased): text cleaning, CJK splitting, lower-casing with accent
/// stripping, whitespace and punctuation splitting.
///
/// Follows `transformers` `BasicTokenizer.tokenize` step by step:
/// 1. `_clean_text`: drop NUL, U+FFFD and control characters (category C*, except tab/newline/CR);
///    map whitespace (space, tab, newline, CR, category Zs such as NBSP) to a space.
/// 2. `_tokenize_chinese_chars`: put spaces around every CJK ideograph.
/// 3. split on whitespace (Python `str.split()`), then per word: `lower()`, NFD and drop
///    category Mn (`_run_strip_accents`), then `_run_split_on_punc`.
/// Words are handed to `body` one at a time as Unicode scalar buffers; nothing is returned, so the
/// caller decides when to stop (truncation).
struct BasicTokenizer: Sendable {
    var lowercase: Bool = true
    var stripAccents: Bool = true

    /// Calls `body` with each word piece of `scalars[range]`; `body` returns false to stop early.
    /// Returns false when stopped early.
    @discardableResult
    func forEachWord(_ scalars: UnsafeBufferPointer<Unicode.Scalar>, in range: Range<Int>,
                     _ body: (UnsafeBufferPointer<Unicode.Scalar>) -> Bool) -> Bool {
        var word: [Unicode.Scalar] = []
        word.reserveCapacity(64)
        var scratch: [Unicode.Scalar] = []
        scratch.reserveCapacity(64)

        func flush() -> Bool {
            guard !word.isEmpty else { return true }
            defer { word.removeAll(keepingCapacity: true) }
            normalize(&word, scratch: &scratch)
            return splitOnPunctuation(word, body)
        }

        for i in range {
            let c = scalars[i]
            let v = c.value
            if v == 0 || v == 0xFFFD || CharacterClasses.isControl(c) { continue }
            if CharacterClasses.isWhitespace(c) || CharacterClasses.isSplitSpace(c) {
                if !flush() { return false }
                continue
            }
            if v >= 0x3400 && CharacterClasses.isCJK(c) {
                if !flush() { return false }
                word.append(c)
                if !flush() { return false }
                continue
            }
            word.append(c)
        }
        return flush()
    }

    /// Lower-cases and strips accents in place (ASCII fast path).
    private func normalize(_ word: inout [Unicode.Scalar], scratch: inout [Unicode.Scalar]) {
        guard lowercase || stripAccents else { return }
        var ascii = true
        for c in word where c.value >= 0x80 { ascii = false; break }
        if ascii {
            if lowercase {
                for i in word.indices where word[i].value >= 65 && word[i].value <= 90 {
                    word[i] = Unicode.Scalar(UInt8(truncatingIfNeeded: word[i].value + 32))
                }
            }
            return
        }
        var s = String(String.UnicodeScalarView(word))
        if lowercase { s = s.lowercased() }
        scratch.removeAll(keepingCapacity: true)
        if stripAccents {
            for c in s.decomposedStringWithCanonicalMapping.unicodeScalars
            where c.properties.generalCategory != .nonspacingMark {
                scratch.append(c)
            }
        } else {
            scratch.append(contentsOf: s.unicodeScalars)
        }
        swap(&word, &scratch)
    }

    /// `_run_split_on_punc`: every punctuation character is a word of its own.
    private func splitOnPunctuation(_ word: [Unicode.Scalar],
                                    _ body: (UnsafeBufferPointer<Unicode.Scalar>) -> Bool) -> Bool {
        word.withUnsafeBufferPointer { w in
            var start = 0
            for i in 0..<w.count where CharacterClasses.isPunctuation(w[i]) {
                if i > start, !body(UnsafeBufferPointer(rebasing: w[start..<i])) { return false }
                if !body(UnsafeBufferPointer(rebasing: w[i..<(i + 1)])) { return false }
                start = i + 1
            }
            if start < w.count { return body(UnsafeBufferPointer(rebasing: w[start..<w.count])) }
            return true
        }
    }
}
