/// Turns a GCIDE article, as Debian's dict-gcide stores it (plain text with Webster markup), into
/// a title and a plain passage.
///
/// Markup handled: pronunciations and repeated headwords between backslashes (`\Aard"vark`\`) are
/// removed; cross-reference braces (`{Orycteropus}`) are unwrapped; source notes in brackets that
/// name Webster, WordNet or PJC (`[1913 Webster]`) are removed; accent codes next to letters
/// (`m[aum]rk`, `[=e]`) become their base letter; all whitespace runs become one space.
public enum GCIDEText {
    /// True when the article is one of the entries GCIDE copied from WordNet 1.5.
    public static func isFromWordNet(_ article: String) -> Bool {
        article.contains("[WordNet 1.5")
    }

    /// The title (the headword text before the first backslash of the first line) and the cleaned body.
    public static func split(_ article: String) -> (title: String, body: String) {
        let scalars = Array(article.unicodeScalars)
        var cut = 0
        while cut < scalars.count, scalars[cut] != "\\", scalars[cut] != "\n" { cut += 1 }
        var title = String(String.UnicodeScalarView(scalars[0..<cut]))
        title = clean(Array(title.unicodeScalars))
        let body = clean(Array(scalars[cut...]))
        return (title, trimLeadingPunctuation(body))
    }

    static func trimLeadingPunctuation(_ s: String) -> String {
        var v = Substring(s)
        while let f = v.first, f == "," || f == " " || f == ";" || f == "." && !v.hasPrefix("..") { v = v.dropFirst() }
        return String(v)
    }

    static func isLetter(_ u: Unicode.Scalar) -> Bool {
        (u.value >= 65 && u.value <= 90) || (u.value >= 97 && u.value <= 122)
    }

    /// Cleans a sequence of scalars (see the type's documentation).
    public static func clean(_ s: [Unicode.Scalar]) -> String {
        var out = String.UnicodeScalarView()
        var i = 0
        let n = s.count
        var pendingSpace = false
        func emit(_ u: Unicode.Scalar) {
            if u == " " || u == "\n" || u == "\t" || u == "\r" {
                pendingSpace = !out.isEmpty
                return
            }
            if pendingSpace { out.append(" "); pendingSpace = false }
            out.append(u)
        }
        while i < n {
            let u = s[i]
            switch u {
            case "\\":
                // Skip to the closing backslash on the same line, if any.
                var j = i + 1
                while j < n, s[j] != "\\", s[j] != "\n" { j += 1 }
                if j < n, s[j] == "\\" { i = j + 1; pendingSpace = pendingSpace || !out.isEmpty } else { i += 1 }
                continue
            case "{", "}":
                i += 1
                continue
            case "[":
                var j = i + 1
                while j < n, j - i < 60, s[j] != "]", s[j] != "\n", s[j] != "[" { j += 1 }
                if j < n, s[j] == "]" {
                    let content = String(String.UnicodeScalarView(s[(i + 1)..<j]))
                    if content.contains("Webster") || content.contains("WordNet") || content.contains("PJC") {
                        i = j + 1
                        pendingSpace = pendingSpace || !out.isEmpty
                        continue
                    }
                    let prevLetter = i > 0 && isLetter(s[i - 1])
                    let nextLetter = j + 1 < n && isLetter(s[j + 1])
                    if (prevLetter || nextLetter), j - i - 1 <= 6, j - i - 1 >= 1,
                       let letter = s[(i + 1)..<j].first(where: isLetter),
                       s[(i + 1)..<j].allSatisfy({ isLetter($0) || "=^~.'\"`".unicodeScalars.contains($0) }) {
                        emit(letter)
                        i = j + 1
                        continue
                    }
                }
                emit(u)
                i += 1
            default:
                emit(u)
                i += 1
            }
        }
        return String(out)
    }
}
