import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a shard-store object written by `ShardWriter`.
///
/// Opening reads and verifies the manifest (its own checksum, the format version, internal consistency),
/// opens every shard file (missing or wrongly sized files are reported here) and loads every shard's index
/// file (verified against its checksum). Shard contents are verified when read: whole-shard reads check the
/// file checksum and the frame's content checksum; single-record reads check the checksums of the LZ4 blocks
/// they decode. `verify()` checks everything up front.
///
/// The reader is a consistent snapshot: all files are opened relative to one directory handle, and shard
/// files stay open, so a concurrent `commit()` replacing the object never produces a mix of versions.
/// Safe to use from many threads at once.
public final class ShardReader: Sendable {
    /// The object directory.
    public let directory: URL
    /// The decoded manifest.
    public let manifest: Manifest
    private let columnReaders: [String: ColumnReader]

    /// What the object is (the writer's `kind`).
    public var kind: String { manifest.kind }
    /// Free-form facts from the manifest.
    public var metadata: [String: String] { manifest.metadata }
    /// The format version the object was written in.
    public var formatVersion: FormatVersion { manifest.formatVersion }
    /// Column names in the order they were added.
    public var columnNames: [String] { manifest.columns.map(\.name) }

    /// Opens the object at `directory`.
    /// - Parameters:
    ///   - verifyChecksums: also read every shard file now and compare it with its checksum (slower; off by default).
    ///   - cacheBytes: per column, how many bytes of decompressed blocks to keep for random access (default 4 MiB).
    public init(directory: URL, verifyChecksums: Bool = false, cacheBytes: Int = 4 << 20) throws {
        var path = directory.standardizedFileURL.path
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        var attempt = 0, missingChecks = 0, reopenings = 0
        while true {
            attempt += 1
            if !FileSystem.exists(path) {
                // Killed or in-flight fallback commit: wait for a live writer, repair after a dead one.
                if ShardStore.swapInProgress(path), attempt < 200 {
                    usleep(10_000)
                    continue
                }
                let report = try ShardStore.recover(directory: URL(fileURLWithPath: path))
                if report.restored == nil, !FileSystem.exists(path) {
                    // The writer may have finished one swap and begun the next since we looked for its
                    // `.old` sibling: look again a few times before calling the object missing.
                    if attempt < 200, ShardStore.swapInProgress(path) || missingChecks < 3 {
                        missingChecks += 1
                        usleep(1_000)
                        continue
                    }
                    throw ShardStoreError.missingManifest(path: path)
                }
            }
            let dir: FileDescriptor
            do {
                dir = try FileDescriptor.openDirectory(path)
            } catch let error as ShardStoreError {
                // Moved aside by a commit between the check above and the open (and perhaps already
                // replaced by the new object): look again.
                if reopenings < 20, ShardReader.isMissingFile(error) {
                    reopenings += 1
                    continue
                }
                throw error
            }
            do {
                let (m, columns) = try ShardReader.open(dir, path: path, verifyChecksums: verifyChecksums, cacheBytes: cacheBytes)
                self.directory = URL(fileURLWithPath: path, isDirectory: true)
                manifest = m
                columnReaders = columns
                return
            } catch let error as ShardStoreError {
                // A commit swapped the directory while we were opening it: start again on the new one.
                if reopenings < 20, ShardReader.isMissingFile(error), ShardReader.pathMoved(path, from: dir) {
                    reopenings += 1
                    continue
                }
                throw error
            }
        }
    }

    private static func isMissingFile(_ e: ShardStoreError) -> Bool {
        switch e {
        case .missingShard, .missingManifest: return true
        default: return false
        }
    }

    private static func pathMoved(_ path: String, from dir: FileDescriptor) -> Bool {
        guard let now = try? FileDescriptor.openDirectory(path), let a = try? now.identity(), let b = try? dir.identity() else { return true }
        return a != b
    }

    private static func open(_ dir: FileDescriptor, path: String, verifyChecksums: Bool, cacheBytes: Int) throws
        -> (Manifest, [String: ColumnReader]) {
        guard let file = try FileDescriptor.openRead(in: dir, name: Manifest.fileName) else {
            throw ShardStoreError.missingManifest(path: path + "/" + Manifest.fileName)
        }
        let size = try file.size()
        guard size <= 1 << 30 else { throw ShardStoreError.corruptManifest(path: file.path, reason: "\(size) bytes is too large for a manifest") }
        let bytes = try file.readExactly(size, at: 0)
        let manifest = try ManifestFile.decode(bytes, path: file.path)
        try ManifestFile.validate(manifest, path: file.path)
        var columns: [String: ColumnReader] = [:]
        for c in manifest.columns {
            columns[c.name] = try ColumnReader(manifest: c, directory: dir, verifyChecksums: verifyChecksums, cacheBytes: cacheBytes)
        }
        return (manifest, columns)
    }

    /// The column named `name`.
    public func column(_ name: String) throws -> ColumnReader {
        guard let c = columnReaders[name] else { throw ShardStoreError.columnNotFound(name: name, available: columnNames) }
        return c
    }

    /// Reads and decodes every shard of every column, checking file, block and content checksums.
    public func verify() throws {
        for name in columnNames { try column(name).verify() }
    }
}
