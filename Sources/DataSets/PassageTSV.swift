import Foundation

/// One passage of a collection: its string id and the text the encoder sees.
public struct Passage: Sendable, Hashable {
    /// The id as written in the collection file.
    public var id: String
    /// Optional title (the three-column format).
    public var title: String?
    /// The passage text.
    public var text: String

    public init(id: String, title: String? = nil, text: String) {
        self.id = id
        self.title = title
        self.text = text
    }

    /// What the encoder reads: `title` and `text` joined by a space and a colon-free separator
    /// (`"<title>. <text>"`), or the text alone when there is no title, or the title alone when the text
    /// is empty.
    public var encoderText: String {
        guard let t = title, !t.isEmpty else { return text }
        return text.isEmpty ? t : t + ". " + text
    }
}

/// A malformed input line: where it is and what is wrong.
public struct TSVProblem: Sendable, Equatable, Codable, CustomStringConvertible {
    /// What is wrong with a line.
    public enum Kind: String, Sendable, Codable {
        case wrongColumnCount = "wrong column count"
        case emptyID = "empty id"
        case whitespaceInID = "id contains whitespace"
        case invalidUTF8 = "invalid UTF-8"
        case duplicateID = "duplicate id"
        case overLong = "line too long"
    }
    public var path: String
    public var line: Int
    public var kind: Kind
    public var detail: String

    public var description: String { "\(path):\(line): \(kind.rawValue)\(detail.isEmpty ? "" : ": " + detail)" }
}

/// Streams a passage collection in TSV form, validating every line.
///
/// Accepted layouts (per line, tab-separated): `id<TAB>text` (MS MARCO `collection.tsv`) and
/// `id<TAB>title<TAB>text` (title-split style). Blank lines are ignored, and so is a first line that is a
/// column header (`id`/`_id`/`docid`/`pid`/`doc_id`, then `text`/`passage`/`contents`, with `title`
/// between for three columns), as BEIR's and pandas' TSV loaders do. A passage with an empty text is
/// kept (it is its title, or nothing): real collections have such documents (Cranfield has two) and
/// Pyserini and BEIR index them so that every judged id resolves; `emptyTexts` counts them. A line is
/// malformed when it has another number of columns, an empty id, an id with whitespace (TREC run and
/// qrels files separate fields by whitespace, so it could not be written back), invalid UTF-8, an id
/// seen before, or more than `maxLineBytes` bytes. The reader reports malformed lines as `TSVProblem`s
/// (it never throws for them) so the caller decides whether to stop or skip.
public struct PassageTSVReader {
    /// What one call to `next()` yields.
    public enum Item {
        case passage(Passage, line: Int, endOffset: UInt64)
        case problem(TSVProblem, endOffset: UInt64)
    }

    private var lines: LineReader
    private var seen: Set<String>
    private let path: String
    private var firstLine = true
    /// The line number of a column header that was skipped, if any.
    public private(set) var headerLine: Int?
    /// Passages read so far whose text is empty.
    public private(set) var emptyTexts = 0

    /// Opens `url`. `startOffset`/`startLine` resume after a known line boundary; `seenIDs` are ids
    /// already read before it (for duplicate detection).
    public init(url: URL, startOffset: UInt64 = 0, startLine: Int = 1, seenIDs: Set<String> = [],
                maxLineBytes: Int = 1 << 20) throws {
        lines = try LineReader(url: url, startOffset: startOffset, startLine: startLine, maxLineBytes: maxLineBytes)
        seen = seenIDs
        path = url.path
    }

    /// The next passage or problem; nil at end of file.
    public mutating func next() throws -> Item? {
        while let item = try lines.next() {
            switch item {
            case let .overLong(number, length, end):
                return .problem(TSVProblem(path: path, line: number, kind: .overLong,
                                           detail: "\(length) bytes, the limit is \(lines.maxLineBytes)"), endOffset: end)
            case let .line(line):
                if line.bytes.isEmpty { continue }
                if let p = parse(line) { return p }
            }
        }
        return nil
    }

    private mutating func parse(_ line: LineReader.Line) -> Item? {
        func problem(_ k: TSVProblem.Kind, _ d: String = "") -> Item {
            .problem(TSVProblem(path: path, line: line.number, kind: k, detail: d), endOffset: line.endOffset)
        }
        guard let s = String(validating: line.bytes, as: UTF8.self) else {
            let bad = firstInvalidUTF8Offset(line.bytes) ?? 0
            return problem(.invalidUTF8, "at byte \(bad) of the line")
        }
        if s.allSatisfy({ $0.isWhitespace }) { return nil }
        let cols = s.split(separator: "\t", omittingEmptySubsequences: false)
        defer { firstLine = false }
        if firstLine, line.number == 1, Self.isHeader(cols) {
            headerLine = line.number
            return nil
        }
        guard cols.count == 2 || cols.count == 3 else {
            return problem(.wrongColumnCount, "\(cols.count) columns, expected 2 (id, text) or 3 (id, title, text)")
        }
        let id = cols[0].trimmingCharacters(in: .whitespaces)
        guard !id.isEmpty else { return problem(.emptyID) }
        guard !id.contains(where: { $0.isWhitespace }) else { return problem(.whitespaceInID, "id \"\(id)\"") }
        let text = cols[cols.count - 1].trimmingCharacters(in: .whitespaces)
        guard !seen.contains(id) else { return problem(.duplicateID, "id \(id) appeared on an earlier line") }
        seen.insert(id)
        if text.isEmpty { emptyTexts += 1 }
        let title = cols.count == 3 ? cols[1].trimmingCharacters(in: .whitespaces) : nil
        return .passage(Passage(id: id, title: title, text: text), line: line.number, endOffset: line.endOffset)
    }
}

extension PassageTSVReader {
    static let idHeaders: Set<String> = ["id", "_id", "docid", "doc_id", "pid", "did"]
    static let textHeaders: Set<String> = ["text", "passage", "contents", "body"]

    /// Whether `cols` are the column names of a collection rather than a passage.
    static func isHeader(_ cols: [Substring]) -> Bool {
        let names = cols.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard let first = names.first, let last = names.last, idHeaders.contains(first), textHeaders.contains(last) else {
            return false
        }
        return names.count == 2 || (names.count == 3 && names[1] == "title")
    }
}

/// Offset of the first byte that breaks UTF-8 in `bytes`, or nil when all is valid.
func firstInvalidUTF8Offset(_ bytes: [UInt8]) -> Int? {
    var i = 0
    let n = bytes.count
    while i < n {
        let b = bytes[i]
        let len: Int
        if b < 0x80 { len = 1 } else if b >> 5 == 0x6 { len = 2 } else if b >> 4 == 0xE { len = 3 } else if b >> 3 == 0x1E { len = 4 } else { return i }
        if i + len > n { return i }
        for j in 1..<len where bytes[i + j] >> 6 != 0x2 { return i }
        if String(validating: bytes[i..<(i + len)], as: UTF8.self) == nil { return i }
        i += len
    }
    return nil
}

/// The outcome of validating a whole collection file before indexing.
public struct CollectionScan: Sendable {
    /// Number of valid passages.
    public var passageCount: Int
    /// Every malformed line, in file order.
    public var problems: [TSVProblem]
    /// Valid passages whose text is empty (kept; see `PassageTSVReader`).
    public var emptyTexts = 0
    /// The line of a skipped column header, if any.
    public var headerLine: Int?

    /// Reads `url` once, counting valid passages and collecting problems.
    public static func scan(_ url: URL, maxLineBytes: Int = 1 << 20) throws -> CollectionScan {
        var reader = try PassageTSVReader(url: url, maxLineBytes: maxLineBytes)
        var count = 0
        var problems: [TSVProblem] = []
        while let item = try reader.next() {
            switch item {
            case .passage: count += 1
            case let .problem(p, _): problems.append(p)
            }
        }
        return CollectionScan(passageCount: count, problems: problems, emptyTexts: reader.emptyTexts,
                              headerLine: reader.headerLine)
    }

    /// Writes the skipped lines as a TSV report (`file`, `line`, `problem`, `detail`).
    public func writeReport(to url: URL) throws {
        var out = "file\tline\tproblem\tdetail\n"
        for p in problems {
            out += "\(p.path)\t\(p.line)\t\(p.kind.rawValue)\t\(p.detail.replacingOccurrences(of: "\t", with: " "))\n"
        }
        do { try out.write(to: url, atomically: true, encoding: .utf8) } catch {
            throw DataSetError.io(path: url.path, reason: "cannot write the skip report: \(error.localizedDescription)")
        }
    }
}
