import Foundation

/// One WordNet synset as read from a `data.<pos>` file: its lemmas and its gloss.
public struct WordNetSynset: Sendable {
    /// Part-of-speech letter (n, v, a, s, r) and byte offset: a stable synset id such as `n02084071`.
    public var id: String
    /// Lemmas as written (underscores for spaces, adjective markers removed).
    public var lemmas: [String]
    /// The gloss: the definition followed by optional `; "example"` sentences.
    public var gloss: String

    /// The definition part of the gloss (before the first quoted example).
    public var definition: String {
        var d = gloss
        if let r = d.range(of: "; \"") { d = String(d[..<r.lowerBound]) } else if d.hasPrefix("\"") { d = "" }
        return d.trimmingCharacters(in: CharacterSet(charactersIn: " ;"))
    }
}

/// Reads the WordNet 3.0 database files (`/usr/share/wordnet/data.{noun,verb,adj,adv}`).
public enum WordNetReader {
    /// All synsets of one data file; licence lines (starting with two spaces) are skipped.
    public static func readSynsets(_ url: URL) throws -> [WordNetSynset] {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw DataSetError.io(path: url.path, reason: "cannot read: \(error.localizedDescription)")
        }
        var out: [WordNetSynset] = []
        let text = String(decoding: data, as: UTF8.self)
        for (n, line) in text.split(separator: "\n").enumerated() {
            if line.hasPrefix("  ") { continue }
            guard let bar = line.range(of: " | ") else {
                throw DataSetError.malformedLine(path: url.path, line: n + 1, reason: "no gloss separator ' | '")
            }
            let head = line[..<bar.lowerBound].split(separator: " ")
            guard head.count >= 4, let wc = Int(head[3], radix: 16), head.count >= 4 + 2 * wc else {
                throw DataSetError.malformedLine(path: url.path, line: n + 1, reason: "cannot read the word count")
            }
            var lemmas: [String] = []
            for i in 0..<wc {
                var w = String(head[4 + 2 * i])
                for m in ["(a)", "(p)", "(ip)"] where w.hasSuffix(m) { w.removeLast(m.count) }
                lemmas.append(w)
            }
            let gloss = String(line[bar.upperBound...]).trimmingCharacters(in: .whitespaces)
            out.append(WordNetSynset(id: String(head[2]) + String(head[0]), lemmas: lemmas, gloss: gloss))
        }
        return out
    }
}
