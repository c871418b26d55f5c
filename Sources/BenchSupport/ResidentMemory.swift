import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The process's resident memory, for measuring what an index really occupies: the growth of the
/// resident set size (RSS) from before building or loading it to after, the same way on our side and
/// in `tools/ann/peers.py` (which reads the same `/proc/self/statm` and calls the same `malloc_trim`).
///
/// Caveats (stated with the figures): RSS counts pages, not bytes (±4 KiB); memory the allocator
/// keeps after `free` would count as growth, so both readings are taken after `releaseFreedMemory()`
/// (glibc `malloc_trim(0)`), which returns free heap pages to the system; pages of the heap that
/// still hold a live allocation stay resident, so small garbage can remain; temporary buffers freed
/// before the second reading (decompressed shards, Python arrays) do not count, peak memory is higher.
public enum ResidentMemory {
    /// The resident set size of this process in bytes (Linux `/proc/self/statm`), nil elsewhere.
    public static func currentBytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count >= 2, let pages = Int(fields[1]) else { return nil }
        #if canImport(Glibc)
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
        #else
        return nil
        #endif
    }

    /// Returns the allocator's free heap memory to the system (glibc `malloc_trim(0)`, looked up at run
    /// time; a no-op where it does not exist), so that RSS reflects live allocations.
    public static func releaseFreedMemory() {
        #if canImport(Glibc)
        typealias Trim = @convention(c) (Int) -> Int32
        if let symbol = dlsym(nil, "malloc_trim") { _ = unsafeBitCast(symbol, to: Trim.self)(0) }
        #endif
    }

    /// Runs `body` and returns its result with the RSS growth it left behind (after releasing freed
    /// memory before and after); the growth is nil where RSS cannot be read.
    public static func growth<T>(_ body: () throws -> T) rethrows -> (result: T, bytes: Int?) {
        releaseFreedMemory()
        let before = currentBytes()
        let result = try body()
        releaseFreedMemory()
        guard let b = before, let a = currentBytes() else { return (result, nil) }
        return (result, a - b)
    }

    /// Bytes of the regular files under `directory` (recursively): an index's size on disk.
    public static func directoryBytes(_ directory: URL) throws -> Int {
        let keys: [URLResourceKey] = [.fileSizeKey, .isRegularFileKey]
        guard let walker = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: keys) else {
            throw BenchmarkError.badArgument(name: "directory \(directory.path)", reason: "cannot be listed")
        }
        var total = 0
        for case let url as URL in walker {
            let values = try url.resourceValues(forKeys: Set(keys))
            if values.isRegularFile == true { total += values.fileSize ?? 0 }
        }
        return total
    }
}
