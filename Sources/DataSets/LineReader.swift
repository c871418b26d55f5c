import Foundation

/// Reads a file line by line in fixed-size chunks, so memory stays bounded by the chunk and the
/// longest line, never by the file. Lines end at `\n`; a trailing `\r` is removed. Each line is
/// returned as raw bytes with its 1-based line number and the byte offset just past it, so callers
/// can validate UTF-8 themselves and resume from an offset.
public struct LineReader {
    /// One line: its bytes (without the terminator), 1-based number, and the file offset after it.
    public struct Line {
        public var bytes: [UInt8]
        public var number: Int
        public var endOffset: UInt64
    }

    public let url: URL
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var position = 0
    private var eof = false
    private var lineNumber: Int
    private var offset: UInt64
    private let chunkSize: Int
    /// Lines longer than this are reported as over-long rather than accumulated without bound.
    public let maxLineBytes: Int

    /// Opens `url`, optionally starting at `startOffset` (which must be a line start) whose line is
    /// numbered `startLine`.
    public init(url: URL, startOffset: UInt64 = 0, startLine: Int = 1,
                maxLineBytes: Int = 1 << 20, chunkSize: Int = 1 << 20) throws {
        self.url = url
        do { handle = try FileHandle(forReadingFrom: url) } catch {
            throw DataSetError.io(path: url.path, reason: "cannot open: \(error.localizedDescription)")
        }
        if startOffset > 0 {
            do { try handle.seek(toOffset: startOffset) } catch {
                throw DataSetError.io(path: url.path, reason: "cannot seek to \(startOffset): \(error.localizedDescription)")
            }
        }
        self.lineNumber = startLine - 1
        self.offset = startOffset
        self.maxLineBytes = maxLineBytes
        self.chunkSize = chunkSize
    }

    /// Result of reading one line: the line, or an over-long line that was skipped up to its end.
    public enum Item {
        case line(Line)
        case overLong(number: Int, length: Int, endOffset: UInt64)
    }

    /// The next line, or nil at end of file.
    public mutating func next() throws -> Item? {
        var overLongLength = 0
        while true {
            if let nl = buffer[position...].firstIndex(of: 0x0A) {
                let start = position
                position = nl + 1
                lineNumber += 1
                let consumed = UInt64(nl + 1 - start)
                offset += consumed
                if overLongLength > 0 || nl - start > maxLineBytes {
                    let len = overLongLength + (nl - start)
                    compactIfNeeded()
                    return .overLong(number: lineNumber, length: len, endOffset: offset)
                }
                var end = nl
                if end > start, buffer[end - 1] == 0x0D { end -= 1 }
                let line = Array(buffer[start..<end])
                compactIfNeeded()
                return .line(Line(bytes: line, number: lineNumber, endOffset: offset))
            }
            if eof {
                guard position < buffer.count || overLongLength > 0 else { return nil }
                let start = position
                position = buffer.count
                lineNumber += 1
                offset += UInt64(buffer.count - start)
                if overLongLength > 0 || buffer.count - start > maxLineBytes {
                    return .overLong(number: lineNumber, length: overLongLength + buffer.count - start, endOffset: offset)
                }
                var end = buffer.count
                if end > start, buffer[end - 1] == 0x0D { end -= 1 }
                return .line(Line(bytes: Array(buffer[start..<end]), number: lineNumber, endOffset: offset))
            }
            // No newline yet: drop an over-long partial line instead of growing without bound.
            if buffer.count - position > maxLineBytes {
                let dropped = buffer.count - position
                overLongLength += dropped
                offset += UInt64(dropped)
                buffer.removeAll(keepingCapacity: true)
                position = 0
            }
            try fill()
        }
    }

    private mutating func compactIfNeeded() {
        if position > chunkSize {
            buffer.removeFirst(position)
            position = 0
        }
    }

    private mutating func fill() throws {
        let data: Data?
        do { data = try handle.read(upToCount: chunkSize) } catch {
            throw DataSetError.io(path: url.path, reason: "read failed: \(error.localizedDescription)")
        }
        guard let d = data, !d.isEmpty else { eof = true; return }
        if position > 0 {
            buffer.removeFirst(position)
            position = 0
        }
        buffer.append(contentsOf: d)
    }
}
