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
///
/// Duplicate ids: given the `DuplicateIDs` of a `CollectionScan` the reader keeps nothing per passage
/// (memory is bounded by the longest line, whatever the file's length, and a reader that resumes
/// mid-file still knows the lines before it); without them it remembers every id it has read, which
/// suits collections that are held in memory anyway.
public struct PassageTSVReader {
    /// What one call to `next()` yields.
    public enum Item {
        case passage(Passage, line: Int, endOffset: UInt64)
        case problem(TSVProblem, endOffset: UInt64)
    }

    /// How the reader recognises an id seen on an earlier line.
    enum DuplicateCheck {
        /// Every id read so far, with its line.
        case inMemory([String: Int])
        /// The duplicate lines of the whole file, found by a scan.
        case known(DuplicateIDs)
        /// Not checked (the scan's own first pass).
        case off
    }

    private var lines: LineReader
    private var duplicates: DuplicateCheck
    private let path: String
    private var firstLine = true
    /// The line number of a column header that was skipped, if any.
    public private(set) var headerLine: Int?
    /// Passages read so far whose text is empty.
    public private(set) var emptyTexts = 0

    /// Opens `url`. `startOffset`/`startLine` resume after a known line boundary. `duplicates` are the
    /// duplicate lines of the file as `CollectionScan` found them; nil remembers the ids read from
    /// `startOffset` on instead.
    public init(url: URL, startOffset: UInt64 = 0, startLine: Int = 1, duplicates: DuplicateIDs? = nil,
                maxLineBytes: Int = 1 << 20) throws {
        try self.init(url: url, startOffset: startOffset, startLine: startLine,
                      check: duplicates.map { .known($0) } ?? .inMemory([:]), maxLineBytes: maxLineBytes)
    }

    init(url: URL, startOffset: UInt64 = 0, startLine: Int = 1, check: DuplicateCheck, maxLineBytes: Int) throws {
        lines = try LineReader(url: url, startOffset: startOffset, startLine: startLine, maxLineBytes: maxLineBytes)
        duplicates = check
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
        if let first = firstLine(of: id, line: line.number) {
            return problem(.duplicateID, "id \(id) first appeared on line \(first)")
        }
        if text.isEmpty { emptyTexts += 1 }
        let title = cols.count == 3 ? cols[1].trimmingCharacters(in: .whitespaces) : nil
        return .passage(Passage(id: id, title: title, text: text), line: line.number, endOffset: line.endOffset)
    }
}

extension PassageTSVReader {
    /// The line where `id` (read on `line`) appeared before, or nil when this is its first line.
    private mutating func firstLine(of id: String, line: Int) -> Int? {
        switch duplicates {
        case .off: return nil
        case let .known(d): return d.firstLine[line]
        case var .inMemory(seen):
            if let first = seen[id] { return first }
            duplicates = .off   // drop the reference while mutating, so the dictionary is not copied
            seen[id] = line
            duplicates = .inMemory(seen)
            return nil
        }
    }

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
///
/// Memory stays bounded whatever the file's length: lines are streamed, duplicate ids are found by
/// `DuplicateIDFinder` (16 bytes per id, spilled to a scratch directory under `TMPDIR` beyond 1M ids),
/// and only the first `keptProblems` malformed lines are kept as values (`writeReport` reads the file
/// again to list them all). What grows is the map of duplicate lines, one entry per duplicate.
public struct CollectionScan: Sendable {
    /// Number of valid passages.
    public var passageCount: Int
    /// The first `keptProblems` malformed lines, in file order.
    public var problems: [TSVProblem]
    /// Every malformed line, counted.
    public var problemCount: Int
    /// The lines whose id appeared before (also among `problems`); give them to `PassageTSVReader` to
    /// read the file again, from its start or from a resume offset, without remembering ids.
    public var duplicates: DuplicateIDs
    /// Valid passages whose text is empty (kept; see `PassageTSVReader`).
    public var emptyTexts = 0
    /// The line of a skipped column header, if any.
    public var headerLine: Int?
    /// The longest line accepted.
    public var maxLineBytes: Int

    /// How many malformed lines `problems` keeps.
    public static let keptProblems = 10_000

    /// Reads `url` once, counting valid passages and collecting problems; lines whose ids hash alike
    /// (duplicates, or rarely a collision) are read a second time to compare their ids.
    public static func scan(_ url: URL, maxLineBytes: Int = 1 << 20) throws -> CollectionScan {
        try scan(url, maxLineBytes: maxLineBytes, finder: DuplicateIDFinder())
    }

    static func scan(_ url: URL, maxLineBytes: Int, finder: DuplicateIDFinder) throws -> CollectionScan {
        var reader = try PassageTSVReader(url: url, check: .off, maxLineBytes: maxLineBytes)
        var finder = finder
        defer { finder.removeScratch() }
        var count = 0, problemCount = 0
        var problems: [TSVProblem] = []
        while let item = try reader.next() {
            switch item {
            case let .passage(p, line, _):
                count += 1
                try finder.add(id: p.id, line: line)
            case let .problem(p, _):
                problemCount += 1
                if problems.count < keptProblems { problems.append(p) }
            }
        }
        var emptyTexts = reader.emptyTexts
        let candidates = try finder.candidateLines()
        var duplicates = DuplicateIDs()
        if !candidates.isEmpty {
            let wanted = Set(candidates)
            var firstByID: [String: Int] = [:]
            var again = try PassageTSVReader(url: url, check: .off, maxLineBytes: maxLineBytes)
            var found: [TSVProblem] = []
            while let item = try again.next() {
                guard case let .passage(p, line, _) = item, wanted.contains(line) else { continue }
                guard let first = firstByID[p.id] else { firstByID[p.id] = line; continue }
                duplicates.firstLine[line] = first
                if p.text.isEmpty { emptyTexts -= 1 }
                if found.count < keptProblems {
                    found.append(TSVProblem(path: url.path, line: line, kind: .duplicateID,
                                            detail: "id \(p.id) first appeared on line \(first)"))
                }
            }
            if !found.isEmpty {
                problems = Array((problems + found).sorted { $0.line < $1.line }.prefix(keptProblems))
            }
        }
        return CollectionScan(passageCount: count - duplicates.count, problems: problems,
                              problemCount: problemCount + duplicates.count, duplicates: duplicates,
                              emptyTexts: emptyTexts, headerLine: reader.headerLine, maxLineBytes: maxLineBytes)
    }

    /// Writes every malformed line of `collection` (the file this scan read) as a TSV report (`file`,
    /// `line`, `problem`, `detail`), reading the file again so that none is left out.
    public func writeReport(collection: URL, to url: URL) throws {
        let fm = FileManager.default
        let tmp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
        guard fm.createFile(atPath: tmp.path, contents: nil), let h = try? FileHandle(forWritingTo: tmp) else {
            throw DataSetError.io(path: url.path, reason: "cannot create the skip report")
        }
        do {
            defer { try? h.close() }
            var reader = try PassageTSVReader(url: collection, duplicates: duplicates, maxLineBytes: maxLineBytes)
            var out = "file\tline\tproblem\tdetail\n"
            while let item = try reader.next() {
                guard case let .problem(p, _) = item else { continue }
                out += "\(p.path)\t\(p.line)\t\(p.kind.rawValue)\t\(p.detail.replacingOccurrences(of: "\t", with: " "))\n"
                if out.utf8.count >= 1 << 16 { try h.write(contentsOf: Data(out.utf8)); out = "" }
            }
            try h.write(contentsOf: Data(out.utf8))
            try h.synchronize()
        } catch let e as DataSetError {
            try? fm.removeItem(at: tmp)
            throw e
        } catch {
            try? fm.removeItem(at: tmp)
            throw DataSetError.io(path: url.path, reason: "cannot write the skip report: \(error.localizedDescription)")
        }
        guard rename(tmp.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? fm.removeItem(at: tmp)
            throw DataSetError.io(path: url.path, reason: "cannot write the skip report: \(reason)")
        }
    }
}
