import Foundation

/// The lines of a collection whose id appeared on an earlier line: duplicate line → line of the first
/// occurrence. `CollectionScan` finds them in bounded memory; `PassageTSVReader` takes them to report
/// the same lines as malformed when it reads the file again (from the start or from a resume offset).
public struct DuplicateIDs: Sendable, Equatable {
    /// Duplicate line → line where its id first appeared.
    public var firstLine: [Int: Int]

    public init(firstLine: [Int: Int] = [:]) { self.firstLine = firstLine }

    /// Number of duplicate lines.
    public var count: Int { firstLine.count }
}

/// Finds ids that occur more than once in a stream of any length, in bounded memory.
///
/// Each id is reduced to a 64-bit hash and kept with its line as a 16-byte entry, partitioned by the
/// hash's top byte into 256 buckets. A bucket's entries are appended to its own file in a scratch
/// directory whenever its buffer holds `bufferEntries`, so memory holds at most 256 buffers while
/// adding and one bucket (1/256 of the entries) while finishing; a collection that fits the buffers
/// never touches the disk. `candidateLines()` sorts each bucket and returns every line whose hash occurs
/// more than once: the true duplicates and, rarely, hash collisions, which the caller tells apart by
/// comparing the ids of those lines only (`CollectionScan` reads them back).
struct DuplicateIDFinder {
    struct Entry {
        var hash: UInt64
        var line: UInt64
    }

    static let bucketCount = 256
    private let bufferEntries: Int
    private var buffers: [[Entry]]
    private var spilled: [Int] = Array(repeating: 0, count: DuplicateIDFinder.bucketCount)
    private var scratch: URL?
    private let scratchParent: URL
    /// Entries added so far.
    private(set) var count = 0

    /// `bufferEntries` per bucket before it is written to the scratch directory (a fresh directory made
    /// under `scratchParent` on the first spill, removed by `removeScratch()`).
    init(bufferEntries: Int = 4096, scratchParent: URL = FileManager.default.temporaryDirectory) {
        self.bufferEntries = max(1, bufferEntries)
        self.scratchParent = scratchParent
        buffers = Array(repeating: [], count: Self.bucketCount)
    }

    /// The hash an id is compared by (Swift's SipHash, seeded per process: collisions are checked anyway).
    static func hash(_ id: String) -> UInt64 {
        var h = Hasher()
        h.combine(id)
        return UInt64(bitPattern: Int64(h.finalize()))
    }

    mutating func add(id: String, line: Int) throws {
        let h = Self.hash(id)
        let b = Int(h >> 56)
        buffers[b].append(Entry(hash: h, line: UInt64(line)))
        count += 1
        if buffers[b].count >= bufferEntries { try spill(bucket: b) }
    }

    private mutating func spill(bucket b: Int) throws {
        let dir = try scratchDirectory()
        try Self.append(buffers[b], to: dir.appendingPathComponent("bucket-\(b)"))
        spilled[b] += buffers[b].count
        buffers[b].removeAll(keepingCapacity: true)
    }

    private mutating func scratchDirectory() throws -> URL {
        if let scratch { return scratch }
        let dir = scratchParent.appendingPathComponent("i3-duplicate-ids-\(getpid())-\(UUID().uuidString)", isDirectory: true)
        do { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) } catch {
            throw DataSetError.io(path: dir.path, reason: """
                cannot create a scratch directory for duplicate-id detection (set TMPDIR to a writable \
                directory): \(error.localizedDescription)
                """)
        }
        scratch = dir
        return dir
    }

    /// Every line whose id hash occurs more than once, sorted. Consumes the buffers.
    mutating func candidateLines() throws -> [Int] {
        var out: [Int] = []
        for b in 0..<Self.bucketCount {
            var entries: [Entry]
            if spilled[b] > 0, let dir = scratch {
                entries = try Self.read(dir.appendingPathComponent("bucket-\(b)"), count: spilled[b])
                entries += buffers[b]
            } else {
                entries = buffers[b]
            }
            buffers[b] = []
            guard entries.count > 1 else { continue }
            entries.sort { ($0.hash, $0.line) < ($1.hash, $1.line) }
            var i = 0
            while i < entries.count {
                var j = i + 1
                while j < entries.count, entries[j].hash == entries[i].hash { j += 1 }
                if j - i > 1 { for e in entries[i..<j] { out.append(Int(e.line)) } }
                i = j
            }
        }
        return out.sorted()
    }

    /// Removes the scratch directory, if one was made.
    mutating func removeScratch() {
        if let scratch { try? FileManager.default.removeItem(at: scratch) }
        scratch = nil
    }
}
