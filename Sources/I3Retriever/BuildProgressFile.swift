import Foundation

/// `progress.json` in `<out>.partial/`: how far an index build got, so `--resume` can continue after
/// the last completed work shard. It is rewritten atomically after each shard is committed.
struct BuildProgressFile: Codable, Equatable {
    /// Collection path, size and modification time: a resumed build must read the same file.
    var source: String
    var sourceBytes: UInt64
    var sourceModified: Double
    var modelIdentity: String
    var dimension: Int
    var shardPassages: Int
    var skipMalformed: Bool
    var indexType: IndexType
    /// Work shards committed so far (`parts/part-00000` ...).
    var completedShards: Int
    /// Passages in those shards.
    var passagesDone: Int
    /// Byte offset and line number where the next shard starts.
    var nextOffset: UInt64
    var nextLine: Int

    static let fileName = "progress.json"

    static func read(_ dir: URL) throws -> BuildProgressFile? {
        let url = dir.appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        do { return try JSONDecoder().decode(BuildProgressFile.self, from: Data(contentsOf: url)) } catch {
            throw RetrieverError.corruptIndex(directory: dir.path, reason: "cannot read \(fileName): \(error)")
        }
    }

    func write(_ dir: URL) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        let url = dir.appendingPathComponent(Self.fileName)
        do { try enc.encode(self).write(to: url, options: .atomic) } catch {
            throw RetrieverError.io(path: url.path, reason: "cannot write: \(error.localizedDescription)")
        }
    }
}
