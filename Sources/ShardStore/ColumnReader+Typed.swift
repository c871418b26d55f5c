/// Typed accessors of `ColumnReader`. Each checks the column's element type (`typeMismatch` otherwise) and
/// the record index (`recordOutOfRange`).
extension ColumnReader {
    // MARK: float32

    /// The elements of record `i` of a `float32` column.
    public func floats(record i: Int) throws -> [Float] { try floats(records: i ..< i + 1) }
    /// The elements of `records`, concatenated (row-major for fixed-length columns).
    public func floats(records: Range<Int>) throws -> [Float] { try checkType(.float32); return try values(Float.self, records: records) }
    /// Every element of the column (the whole column in memory: prefer `forEachShard` for large ones).
    public func allFloats() throws -> [Float] { try floats(records: 0 ..< recordCount) }

    #if !((os(macOS) || targetEnvironment(macCatalyst)) && arch(x86_64))
    // MARK: float16

    /// The elements of record `i` of a `float16` column.
    public func float16s(record i: Int) throws -> [Float16] { try float16s(records: i ..< i + 1) }
    /// The elements of `records`, concatenated.
    public func float16s(records: Range<Int>) throws -> [Float16] { try checkType(.float16); return try values(Float16.self, records: records) }
    /// Every element of the column.
    public func allFloat16s() throws -> [Float16] { try float16s(records: 0 ..< recordCount) }
    #endif

    // MARK: uint8

    /// The elements of record `i` of a `uint8` column.
    public func uint8s(record i: Int) throws -> [UInt8] { try uint8s(records: i ..< i + 1) }
    /// The elements of `records`, concatenated.
    public func uint8s(records: Range<Int>) throws -> [UInt8] { try checkType(.uint8); return try values(UInt8.self, records: records) }
    /// Every element of the column.
    public func allUInt8s() throws -> [UInt8] { try uint8s(records: 0 ..< recordCount) }

    // MARK: int32

    /// The elements of record `i` of an `int32` column.
    public func int32s(record i: Int) throws -> [Int32] { try int32s(records: i ..< i + 1) }
    /// The elements of `records`, concatenated.
    public func int32s(records: Range<Int>) throws -> [Int32] { try checkType(.int32); return try values(Int32.self, records: records) }
    /// Every element of the column.
    public func allInt32s() throws -> [Int32] { try int32s(records: 0 ..< recordCount) }

    // MARK: int64

    /// The elements of record `i` of an `int64` column.
    public func int64s(record i: Int) throws -> [Int64] { try int64s(records: i ..< i + 1) }
    /// The elements of `records`, concatenated.
    public func int64s(records: Range<Int>) throws -> [Int64] { try checkType(.int64); return try values(Int64.self, records: records) }
    /// Every element of the column.
    public func allInt64s() throws -> [Int64] { try int64s(records: 0 ..< recordCount) }

    // MARK: utf8

    /// Record `i` of a `utf8` column.
    public func string(record i: Int) throws -> String {
        guard let s = try strings(records: i ..< i + 1).first else {
            throw ShardStoreError.recordOutOfRange(column: name, index: i, count: recordCount)
        }
        return s
    }
    /// Every string of the column.
    public func allStrings() throws -> [String] { try strings(records: 0 ..< recordCount) }
}
