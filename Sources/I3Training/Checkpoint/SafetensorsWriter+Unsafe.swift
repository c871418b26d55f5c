import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes F32 safetensors files (the format `I3Encoder.SafetensorsFile` reads): an 8-byte little-endian
/// header length, the JSON header (keys sorted, padded with spaces to a multiple of 8), then the data.
///
/// Writes are atomic: the bytes go to `<name>.partial` beside the target, are flushed to disk (fsync),
/// and only then renamed over the target; on any failure the partial file is removed and the old file
/// is left as it was.
enum SafetensorsWriter {
    struct Entry {
        let name: String
        let shape: [Int]
        let values: FloatBuffer
    }

    /// `failAfterBytes` is a test seam: the write fails with ENOSPC once that many bytes are written
    /// (a full disk).
    static func write(_ entries: [Entry], metadata: [String: String], to url: URL, failAfterBytes: Int? = nil) throws {
        var header: [String: Any] = [:]
        var offset = 0
        for e in entries {
            let bytes = e.values.count * 4
            header[e.name] = ["dtype": "F32", "shape": e.shape, "data_offsets": [offset, offset + bytes]] as [String: Any]
            offset += bytes
        }
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var json: Data
        do { json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]) } catch {
            throw TrainingError.checkpointWrite(path: url.path, reason: "cannot encode the header: \(error)")
        }
        while (8 + json.count) % 8 != 0 { json.append(0x20) }

        let partial = url.deletingLastPathComponent().appendingPathComponent(url.lastPathComponent + ".partial")
        let fd = open(partial.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else {
            throw TrainingError.checkpointWrite(path: url.path, reason: String(cString: strerror(errno)))
        }
        var written = 0
        func put(_ p: UnsafeRawPointer, _ n: Int) throws {
            var done = 0
            while done < n {
                if let limit = failAfterBytes, written + (n - done) > limit {
                    throw TrainingError.checkpointWrite(path: url.path, reason: String(cString: strerror(ENOSPC)))
                }
                let r = Glibc.write(fd, p + done, min(n - done, 1 << 24))
                if r < 0 {
                    if errno == EINTR { continue }
                    throw TrainingError.checkpointWrite(path: url.path, reason: String(cString: strerror(errno)))
                }
                done += r
                written += r
            }
        }
        do {
            var n = UInt64(json.count).littleEndian
            try withUnsafeBytes(of: &n) { raw in
                guard let base = raw.baseAddress else { return }
                try put(base, 8)
            }
            try json.withUnsafeBytes { raw in
                guard let base = raw.baseAddress else { return }   // an empty header is refused by the reader
                try put(base, json.count)
            }
            for e in entries where e.values.count > 0 { try put(UnsafeRawPointer(e.values.base), e.values.count * 4) }
            guard fsync(fd) == 0 else {
                throw TrainingError.checkpointWrite(path: url.path, reason: "fsync: \(String(cString: strerror(errno)))")
            }
            close(fd)
        } catch {
            close(fd)
            unlink(partial.path)
            throw error
        }
        guard rename(partial.path, url.path) == 0 else {
            let why = String(cString: strerror(errno))
            unlink(partial.path)
            throw TrainingError.checkpointWrite(path: url.path, reason: "rename: \(why)")
        }
    }
}
