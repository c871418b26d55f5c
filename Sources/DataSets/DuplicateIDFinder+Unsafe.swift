import Foundation

/// The byte-level file I/O of `DuplicateIDFinder`'s buckets: entries are written and read as their
/// in-memory bytes (the scratch files live only for one scan, on one machine).
extension DuplicateIDFinder {
    static func append(_ entries: [Entry], to url: URL) throws {
        let fm = FileManager.default
        if !fm.fileExists(atPath: url.path), !fm.createFile(atPath: url.path, contents: nil) {
            throw DataSetError.io(path: url.path, reason: "cannot create a duplicate-id scratch file")
        }
        do {
            let h = try FileHandle(forWritingTo: url)
            defer { try? h.close() }
            try h.seekToEnd()
            try entries.withUnsafeBytes { try h.write(contentsOf: Data($0)) }
        } catch {
            throw DataSetError.io(path: url.path, reason: "cannot write a duplicate-id scratch file: \(error.localizedDescription)")
        }
    }

    static func read(_ url: URL, count: Int) throws -> [Entry] {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw DataSetError.io(path: url.path, reason: "cannot read a duplicate-id scratch file: \(error.localizedDescription)")
        }
        guard data.count == count * MemoryLayout<Entry>.stride else {
            throw DataSetError.io(path: url.path, reason: """
                duplicate-id scratch file holds \(data.count) bytes, \(count * MemoryLayout<Entry>.stride) were written
                """)
        }
        var out = [Entry](repeating: Entry(hash: 0, line: 0), count: count)
        out.withUnsafeMutableBytes { dst in _ = data.copyBytes(to: dst) }
        return out
    }
}
