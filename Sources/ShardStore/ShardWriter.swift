import Foundation

/// Writes a shard-store object: a directory of named, typed columns, each split into LZ4-frame shards of at
/// most `maxShardBytes` raw bytes.
///
/// Streaming: appended values are compressed block by block into shard files inside a temporary sibling
/// directory (`<name>.tmp-<pid>-<uuid>`), so memory stays bounded (about two LZ4 blocks per column, plus 8
/// bytes per record of the open shard of a variable-length column) whatever the object's size. Nothing is
/// visible at `directory` until `commit()`, which swaps the finished object into place atomically: a crash
/// or kill at any point leaves either the previous object or the new one, never a mix. A writer that is
/// dropped without `commit()` removes its temporary directory.
///
/// ```swift
/// var w = try ShardWriter(directory: url, kind: "passages", metadata: ["model": "all-MiniLM-L6-v2"])
/// try w.addColumn("vectors", type: .float32, recordLength: 384)
/// try w.addColumn("text", type: .utf8)
/// try w.append(floats: embeddings, to: "vectors")
/// try w.appendRecord(string: "A passage.", to: "text")
/// try w.commit()
/// ```
/// Not thread-safe: use one writer from one thread (or serialise calls).
public struct ShardWriter {
    private let state: WriterState

    /// Starts a new object that will replace `directory` on `commit()`.
    /// - Parameters:
    ///   - kind: what the object is (for example `"index.flat"`); readers check it.
    ///   - metadata: free-form facts stored in the manifest.
    ///   - maxShardBytes: the most raw bytes per shard file (default 64 MiB; 4 KiB ... 4 GiB).
    ///   - blockBytes: raw bytes per LZ4 block, the unit of random access (default 64 KiB; 4 KiB ... 4 MiB).
    /// - Throws: `invalidArgument` for sizes out of range or a destination that exists but is not a shard store.
    public init(directory: URL, kind: String, metadata: [String: String] = [:],
                maxShardBytes: Int = 64 << 20, blockBytes: Int = 64 << 10) throws {
        state = try WriterState(destination: directory.standardizedFileURL.path, kind: kind, metadata: metadata,
                                maxShardBytes: maxShardBytes, blockBytes: blockBytes)
    }

    /// Where the object will be committed.
    public var directory: URL { URL(fileURLWithPath: state.destination, isDirectory: true) }

    /// Free-form facts stored in the manifest; may be changed until `commit()`.
    public var metadata: [String: String] {
        get { state.metadata }
        nonmutating set { state.metadata = newValue }
    }

    /// Adds a column. `recordLength` is the number of elements per record for fixed-length columns, or nil
    /// for variable-length columns (one `appendRecord` call per record). `blockBytes` overrides the writer's
    /// block size for this column: 16 KiB makes single-record reads of a vector column that is read at
    /// random (re-ranking) about 3× cheaper, for a slightly lower compression ratio.
    public mutating func addColumn(_ name: String, type: ElementType, recordLength: Int? = nil, blockBytes: Int? = nil) throws {
        try state.addColumn(name, type: type, recordLength: recordLength, blockBytes: blockBytes)
    }

    // MARK: Fixed-length columns: any whole number of records at once

    /// Appends `floats.count / recordLength` records to a fixed-length `float32` column.
    public mutating func append<C: Collection>(floats: C, to column: String) throws where C.Element == Float {
        try state.append(floats, type: .float32, to: column, oneRecord: false)
    }

    #if !((os(macOS) || targetEnvironment(macCatalyst)) && arch(x86_64))
    /// Appends records to a fixed-length `float16` column.
    public mutating func append<C: Collection>(float16s: C, to column: String) throws where C.Element == Float16 {
        try state.append(float16s, type: .float16, to: column, oneRecord: false)
    }

    /// Appends one record to a `float16` column.
    public mutating func appendRecord<C: Collection>(float16s: C, to column: String) throws where C.Element == Float16 {
        try state.append(float16s, type: .float16, to: column, oneRecord: true)
    }
    #endif

    /// Appends records to a fixed-length `uint8` column.
    public mutating func append<C: Collection>(uint8s: C, to column: String) throws where C.Element == UInt8 {
        try state.append(uint8s, type: .uint8, to: column, oneRecord: false)
    }

    /// Appends records to a fixed-length `int32` column.
    public mutating func append<C: Collection>(int32s: C, to column: String) throws where C.Element == Int32 {
        try state.append(int32s, type: .int32, to: column, oneRecord: false)
    }

    /// Appends records to a fixed-length `int64` column.
    public mutating func append<C: Collection>(int64s: C, to column: String) throws where C.Element == Int64 {
        try state.append(int64s, type: .int64, to: column, oneRecord: false)
    }

    // MARK: One record (variable-length columns, or exactly recordLength elements)

    /// Appends one record to a `float32` column.
    public mutating func appendRecord<C: Collection>(floats: C, to column: String) throws where C.Element == Float {
        try state.append(floats, type: .float32, to: column, oneRecord: true)
    }

    /// Appends one record to a `uint8` column.
    public mutating func appendRecord<C: Collection>(uint8s: C, to column: String) throws where C.Element == UInt8 {
        try state.append(uint8s, type: .uint8, to: column, oneRecord: true)
    }

    /// Appends one record to an `int32` column.
    public mutating func appendRecord<C: Collection>(int32s: C, to column: String) throws where C.Element == Int32 {
        try state.append(int32s, type: .int32, to: column, oneRecord: true)
    }

    /// Appends one record to an `int64` column.
    public mutating func appendRecord<C: Collection>(int64s: C, to column: String) throws where C.Element == Int64 {
        try state.append(int64s, type: .int64, to: column, oneRecord: true)
    }

    /// Appends one string (its UTF-8 bytes) to a `utf8` column.
    public mutating func appendRecord(string: String, to column: String) throws {
        var text = string
        try text.withUTF8 { try state.appendUTF8($0, to: column) }
    }

    /// Records appended so far to `column`.
    public func recordCount(of column: String) throws -> Int { try state.column(column).recordCount }

    /// Finishes every shard, writes the manifest, fsyncs files and directories, and atomically replaces
    /// `directory` with the new object. The writer cannot be used afterwards.
    public mutating func commit() throws { try state.commit() }

    /// Abandons the object: removes the temporary directory; `directory` is untouched.
    public mutating func abort() { state.abort() }

    /// Test hook: called at each step of `commit()` (crash tests kill the process there).
    @_spi(CrashTesting) public var commitStageHook: (@Sendable (CommitStage) -> Void)? {
        get { state.hook }
        nonmutating set { state.hook = newValue }
    }

    /// Test switch: false forces the two-rename fallback instead of `renameat2(RENAME_EXCHANGE)`.
    @_spi(CrashTesting) public var useRenameExchange: Bool {
        get { state.useExchange }
        nonmutating set { state.useExchange = newValue }
    }
}

/// The steps of `ShardWriter.commit()`, in order, for crash tests.
@_spi(CrashTesting) public enum CommitStage: String, Sendable, CaseIterable {
    /// Shards, index files and the manifest are written and fsynced in the temporary directory.
    case filesSynced
    /// The temporary directory itself is fsynced.
    case temporaryDirectorySynced
    /// Exchange path: the new object is at `directory`, the old one at the temporary path.
    case exchanged
    /// Fallback path: the old object was renamed to `<name>.old-<pid>-<uuid>`; `directory` is missing.
    case movedAside
    /// The new object was renamed into place (fallback path or first commit).
    case renamedIntoPlace
    /// The parent directory is fsynced; only removing the old object is left.
    case parentSynced
    /// The old object is removed.
    case done
}

/// The writer's state (a reference, so that a dropped writer cleans up in `deinit`).
final class WriterState {
    let destination: String
    let parent: String
    let temporary: String
    let kind: String
    var metadata: [String: String]
    let maxShardBytes: Int
    let blockBytes: Int
    var hook: (@Sendable (CommitStage) -> Void)?
    var useExchange = true
    private var columns: [ColumnWriter] = []
    private var columnsByName: [String: ColumnWriter] = [:]
    private var closed = false

    init(destination: String, kind: String, metadata: [String: String], maxShardBytes: Int, blockBytes: Int) throws {
        guard maxShardBytes >= 4096, maxShardBytes <= Int(UInt32.max) else {
            throw ShardStoreError.invalidArgument(name: "maxShardBytes", reason: "must be in 4096...\(UInt32.max), got \(maxShardBytes)")
        }
        guard LZ4Frame.blockBytesRange.contains(blockBytes) else {
            throw ShardStoreError.invalidArgument(name: "blockBytes", reason: "must be in \(LZ4Frame.blockBytesRange), got \(blockBytes)")
        }
        var dest = destination
        while dest.count > 1, dest.hasSuffix("/") { dest.removeLast() }
        let url = URL(fileURLWithPath: dest)
        let name = url.lastPathComponent
        guard !name.isEmpty, name != "/", name != ".", name != ".." else {
            throw ShardStoreError.invalidArgument(name: "directory", reason: "\(destination) cannot be a shard-store directory")
        }
        self.destination = dest
        parent = url.deletingLastPathComponent().path
        try AtomicCommit.checkReplaceable(dest)
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw ShardStoreError.io(path: parent, operation: "create directory", reason: "\(error)")
        }
        temporary = AtomicCommit.siblingPath(dest, tag: AtomicCommit.temporaryTag)
        try FileSystem.makeDirectory(temporary)
        self.kind = kind
        self.metadata = metadata
        self.maxShardBytes = maxShardBytes
        self.blockBytes = blockBytes
    }

    deinit { abort() }

    func abort() {
        guard !closed else { return }
        closed = true
        columns = []
        columnsByName = [:]
        try? FileSystem.removeTree(temporary)
    }

    func column(_ name: String) throws -> ColumnWriter {
        guard !closed else { throw ShardStoreError.writerClosed(path: destination) }
        guard let c = columnsByName[name] else {
            throw ShardStoreError.columnNotFound(name: name, available: columns.map(\.name))
        }
        return c
    }

    func addColumn(_ name: String, type: ElementType, recordLength: Int?, blockBytes columnBlockBytes: Int?) throws {
        guard !closed else { throw ShardStoreError.writerClosed(path: destination) }
        guard ColumnNames.isValid(name) else {
            throw ShardStoreError.invalidArgument(name: "column name", reason: "\"\(name)\" must be 1-128 of A-Z a-z 0-9 _ - . and not start with a dot")
        }
        guard columnsByName[name] == nil else { throw ShardStoreError.duplicateColumn(name) }
        if type == .utf8, recordLength != nil {
            throw ShardStoreError.invalidArgument(name: "recordLength", reason: "utf8 columns are variable-length (pass nil)")
        }
        let block = columnBlockBytes ?? blockBytes
        guard LZ4Frame.blockBytesRange.contains(block) else {
            throw ShardStoreError.invalidArgument(name: "blockBytes", reason: "must be in \(LZ4Frame.blockBytesRange), got \(block)")
        }
        let column = try ColumnWriter(name: name, elementType: type, recordLength: recordLength,
                                      maxShardBytes: maxShardBytes, blockBytes: block, directory: temporary)
        columns.append(column)
        columnsByName[name] = column
    }

    func append<C: Collection>(_ values: C, type: ElementType, to name: String, oneRecord: Bool) throws {
        let c = try column(name)
        guard c.elementType == type else { throw ShardStoreError.typeMismatch(column: name, expected: c.elementType, actual: type) }
        let done: Void? = try values.withContiguousStorageIfAvailable { buffer in
            let raw = UnsafeRawBufferPointer(buffer)
            if oneRecord { try c.appendRecord(raw, elements: buffer.count) } else { try c.appendRecords(raw, elements: buffer.count) }
        }
        if done == nil {
            let copy = Array(values)
            try copy.withUnsafeBytes { raw in
                if oneRecord { try c.appendRecord(raw, elements: copy.count) } else { try c.appendRecords(raw, elements: copy.count) }
            }
        }
    }

    func appendUTF8(_ bytes: UnsafeBufferPointer<UInt8>, to name: String) throws {
        let c = try column(name)
        guard c.elementType == .utf8 else { throw ShardStoreError.typeMismatch(column: name, expected: c.elementType, actual: .utf8) }
        try c.appendRecord(UnsafeRawBufferPointer(bytes), elements: bytes.count)
    }

    func commit() throws {
        guard !closed else { throw ShardStoreError.writerClosed(path: destination) }
        do {
            for c in columns { try c.finishShard() }
            let formatter = ISO8601DateFormatter()
            let manifest = Manifest(format: Manifest.formatName, formatVersion: .current, kind: kind, metadata: metadata,
                                    created: formatter.string(from: Date()), columns: columns.map(\.manifest))
            let bytes = try ManifestFile.encode(manifest)
            let file = try FileDescriptor.create(temporary + "/" + Manifest.fileName)
            try bytes.withUnsafeBytes { try file.write($0) }
            try file.sync()
            hook?(.filesSynced)
            try FileSystem.syncDirectory(temporary)
            hook?(.temporaryDirectorySynced)
            try AtomicCommit.replace(destination, with: temporary, parent: parent, useExchange: useExchange, hook: hook)
            closed = true
            columns = []
            columnsByName = [:]
        } catch {
            abort()
            throw error
        }
    }
}
