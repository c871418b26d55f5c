import Foundation

/// Replacing an object directory atomically, and cleaning up after a writer that died mid-way.
///
/// Siblings of `<dir>` used while committing:
/// - `<dir>.tmp-<pid>-<uuid>`: a writer's work in progress (or, after an exchange, the old object about to be removed);
/// - `<dir>.old-<pid>-<uuid>`: the previous object moved aside by the two-rename fallback.
/// `<pid>` is the writer's process id, so that recovery touches only siblings of writers that are gone.
enum AtomicCommit {
    static let temporaryTag = "tmp"
    static let oldTag = "old"

    static func siblingPath(_ destination: String, tag: String) -> String {
        "\(destination).\(tag)-\(getpid())-\(UUID().uuidString)"
    }

    /// A leftover sibling of `destination`: its path, tag and writer pid.
    struct Sibling {
        var path: String
        var tag: String
        var pid: Int32
    }

    static func siblings(of destination: String) -> [Sibling] {
        let url = URL(fileURLWithPath: destination)
        let parent = url.deletingLastPathComponent().path
        let name = url.lastPathComponent
        guard let names = try? FileSystem.list(parent) else { return [] }
        var out: [Sibling] = []
        for n in names {
            for tag in [temporaryTag, oldTag] {
                let prefix = "\(name).\(tag)-"
                guard n.hasPrefix(prefix) else { continue }
                let rest = n.dropFirst(prefix.count)
                guard let dash = rest.firstIndex(of: "-"), let pid = Int32(rest[..<dash]) else { continue }
                out.append(Sibling(path: parent + "/" + n, tag: tag, pid: pid))
            }
        }
        return out
    }

    /// Refuses to replace something that is not a shard store (a file, or a non-empty directory without a manifest).
    static func checkReplaceable(_ destination: String) throws {
        guard FileSystem.exists(destination) else { return }
        guard FileSystem.isDirectory(destination) else {
            throw ShardStoreError.invalidArgument(name: "directory", reason: "\(destination) exists and is not a directory")
        }
        let entries = (try? FileSystem.list(destination)) ?? []
        if !entries.isEmpty && !entries.contains(Manifest.fileName) {
            throw ShardStoreError.invalidArgument(name: "directory", reason: "\(destination) exists, is not empty and is not a shard store; refusing to replace it")
        }
    }

    /// Puts the complete, fsynced object at `temporary` in place of `destination`.
    static func replace(_ destination: String, with temporary: String, parent: String, useExchange: Bool,
                        hook: (@Sendable (CommitStage) -> Void)?) throws {
        try checkReplaceable(destination)
        if !FileSystem.exists(destination) {
            try FileSystem.rename(temporary, destination)
            hook?(.renamedIntoPlace)
            try FileSystem.syncDirectory(parent)
            hook?(.parentSynced)
            hook?(.done)
            return
        }
        if useExchange, try FileSystem.exchange(temporary, destination) {
            // `destination` now holds the new object; `temporary` holds the old one.
            hook?(.exchanged)
            try FileSystem.syncDirectory(parent)
            hook?(.parentSynced)
            try FileSystem.removeTree(temporary)
            hook?(.done)
            return
        }
        let old = siblingPath(destination, tag: oldTag)
        try FileSystem.rename(destination, old)
        hook?(.movedAside)
        do {
            try FileSystem.rename(temporary, destination)
        } catch {
            try? FileSystem.rename(old, destination)  // put the previous object back
            throw error
        }
        hook?(.renamedIntoPlace)
        try FileSystem.syncDirectory(parent)
        hook?(.parentSynced)
        try FileSystem.removeTree(old)
        hook?(.done)
    }
}

/// Store-level operations.
public enum ShardStore {
    /// The format version this library writes (it reads every minor version of the same major).
    public static let formatVersion = FormatVersion.current

    /// What `recover(directory:)` did.
    public struct RecoveryReport: Sendable, Equatable {
        /// The sibling moved back to `directory`, when the directory was missing after an interrupted swap.
        public var restored: String?
        /// Leftover siblings of dead writers that were removed.
        public var removed: [String]
    }

    /// Repairs what a writer killed during `commit()` may leave beside `directory`:
    /// - `directory` missing and a dead writer's `<dir>.old-*` present (killed between its two renames):
    ///   the old object is moved back, so the store is the previous committed version;
    /// - dead writers' `<dir>.tmp-*` and `<dir>.old-*` siblings are removed.
    /// Siblings of live processes (including this one) are left alone. Readers call this themselves when
    /// `directory` is missing; call it explicitly to reclaim disk space after crashes.
    @discardableResult
    public static func recover(directory: URL) throws -> RecoveryReport {
        var dest = directory.standardizedFileURL.path
        while dest.count > 1, dest.hasSuffix("/") { dest.removeLast() }
        var report = RecoveryReport(restored: nil, removed: [])
        let me = getpid()
        let dead = AtomicCommit.siblings(of: dest).filter { $0.pid != me && !FileSystem.processIsAlive($0.pid) }
        if !FileSystem.exists(dest) {
            // Newest complete old object first.
            let candidates = dead.filter { $0.tag == AtomicCommit.oldTag && FileSystem.exists($0.path + "/" + Manifest.fileName) }
                .sorted { modificationTime($0.path) > modificationTime($1.path) }
            if let pick = candidates.first {
                do {
                    try FileSystem.rename(pick.path, dest)
                    try FileSystem.syncDirectory(URL(fileURLWithPath: dest).deletingLastPathComponent().path)
                    report.restored = pick.path
                } catch {
                    // Another process restored it first: fine if the destination now exists.
                    if !FileSystem.exists(dest) { throw error }
                }
            }
        }
        for s in dead where s.path != report.restored && FileSystem.exists(s.path) {
            try FileSystem.removeTree(s.path)
            report.removed.append(s.path)
        }
        return report
    }

    private static func modificationTime(_ path: String) -> Double {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        return (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
    }

    /// True while a live writer is between the two renames of a fallback commit (`directory` briefly missing).
    static func swapInProgress(_ destination: String) -> Bool {
        let me = getpid()
        return AtomicCommit.siblings(of: destination).contains {
            $0.tag == AtomicCommit.oldTag && ($0.pid == me || FileSystem.processIsAlive($0.pid))
        }
    }
}
