import Foundation

/// What tells one published index directory from the next: `IndexBuilder` publishes by renaming a new
/// directory into place, so the directory's inode changes, and `retriever.json` is rewritten (new inode,
/// new modification time). Comparing these notices `i3 index --overwrite` without reading the shards.
public struct DirectoryIdentity: Sendable, Equatable, CustomStringConvertible {
    /// File system and inode of the directory.
    public var device: Int
    public var inode: Int
    /// Inode and modification time of `retriever.json`.
    public var manifestInode: Int
    public var manifestModified: Date

    /// The identity of `directory` now, or nil while it is missing (for example between the two renames
    /// of a publish).
    public static func of(_ directory: URL) -> DirectoryIdentity? {
        let fm = FileManager.default
        guard let d = try? fm.attributesOfItem(atPath: directory.path),
              let m = try? fm.attributesOfItem(atPath: directory.appendingPathComponent("retriever.json").path),
              let dev = (d[.systemNumber] as? NSNumber)?.intValue, let ino = (d[.systemFileNumber] as? NSNumber)?.intValue,
              let mino = (m[.systemFileNumber] as? NSNumber)?.intValue, let mtime = m[.modificationDate] as? Date
        else { return nil }
        return DirectoryIdentity(device: dev, inode: ino, manifestInode: mino, manifestModified: mtime)
    }

    public var description: String { "dev \(device) inode \(inode), retriever.json inode \(manifestInode) modified \(manifestModified)" }
}
