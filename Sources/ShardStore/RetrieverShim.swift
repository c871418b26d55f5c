// TEMPORARY shim of the ShardStore API for the retriever branch only; removed when the real
// ShardStore lands on main. Never published.
import Foundation

public enum ElementType: String, Codable, Sendable { case float32, float16, uint8, int32, int64, utf8 }
public struct ShimError: Error, CustomStringConvertible { public let description: String }

struct ShimColumnMeta: Codable { var name: String; var type: ElementType; var recordLength: Int? }
struct ShimManifest: Codable { var kind: String; var metadata: [String: String]; var columns: [ShimColumnMeta] }

public struct ShardWriter {
    let directory: URL
    var manifest: ShimManifest
    var data: [String: [Float]] = [:]
    var strings: [String: [String]] = [:]
    public init(directory: URL, kind: String, metadata: [String: String] = [:], maxShardBytes: Int = 64 << 20) throws {
        self.directory = directory
        manifest = ShimManifest(kind: kind, metadata: metadata, columns: [])
    }
    public mutating func addColumn(_ name: String, type: ElementType, recordLength: Int?) throws {
        manifest.columns.append(ShimColumnMeta(name: name, type: type, recordLength: recordLength))
    }
    public mutating func append(floats: [Float], to column: String) throws { data[column, default: []].append(contentsOf: floats) }
    public mutating func appendRecord(string: String, to column: String) throws { strings[column, default: []].append(string) }
    public mutating func commit() throws {
        let tmp = directory.deletingLastPathComponent().appendingPathComponent(".tmp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        try JSONEncoder().encode(manifest).write(to: tmp.appendingPathComponent("manifest.json"))
        for c in manifest.columns {
            if c.type == .utf8 {
                try JSONEncoder().encode(strings[c.name] ?? []).write(to: tmp.appendingPathComponent(c.name))
            } else {
                let f = data[c.name] ?? []
                try f.withUnsafeBytes { Data($0) }.write(to: tmp.appendingPathComponent(c.name))
            }
        }
        try FileManager.default.moveItem(at: tmp, to: directory)
    }
}

public final class ColumnReader: Sendable {
    public let recordCount: Int
    public let recordLength: Int?
    public let elementType: ElementType
    let floatsData: [Float]
    let stringsData: [String]
    init(meta: ShimColumnMeta, url: URL) throws {
        elementType = meta.type
        recordLength = meta.recordLength
        let d = try Data(contentsOf: url)
        if meta.type == .utf8 {
            stringsData = try JSONDecoder().decode([String].self, from: d)
            floatsData = []
            recordCount = stringsData.count
        } else {
            floatsData = d.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            stringsData = []
            recordCount = floatsData.count / max(1, meta.recordLength ?? 1)
        }
    }
    public func floats(record i: Int) throws -> [Float] {
        let d = recordLength ?? 1
        guard i >= 0, i < recordCount else { throw ShimError(description: "record \(i) out of range") }
        return Array(floatsData[i * d ..< (i + 1) * d])
    }
    public func allFloats() throws -> [Float] { floatsData }
    public func string(record i: Int) throws -> String {
        guard i >= 0, i < recordCount else { throw ShimError(description: "record \(i) out of range") }
        return stringsData[i]
    }
}

public final class ShardReader: Sendable {
    public let kind: String
    public let metadata: [String: String]
    let columns: [String: ColumnReader]
    public init(directory: URL) throws {
        let m = try JSONDecoder().decode(ShimManifest.self, from: Data(contentsOf: directory.appendingPathComponent("manifest.json")))
        kind = m.kind
        metadata = m.metadata
        var cs: [String: ColumnReader] = [:]
        for c in m.columns { cs[c.name] = try ColumnReader(meta: c, url: directory.appendingPathComponent(c.name)) }
        columns = cs
    }
    public func column(_ name: String) throws -> ColumnReader {
        guard let c = columns[name] else { throw ShimError(description: "no column \(name)") }
        return c
    }
}
