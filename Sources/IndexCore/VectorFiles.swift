import Foundation

/// Errors reading `.fvecs` / `.ivecs` files.
public enum VectorFileError: Error, Sendable, CustomStringConvertible {
    /// The file could not be read or written.
    case io(path: String, reason: String)
    /// The bytes are not a valid vector file: path, byte offset and what is wrong.
    case malformed(path: String, offset: Int, reason: String)

    public var description: String {
        switch self {
        case let .io(p, r): return "\(p): \(r)"
        case let .malformed(p, o, r): return "\(p): malformed vector file at byte \(o): \(r)"
        }
    }
}

/// The standard `.fvecs` / `.ivecs` formats (as used by ann-benchmarks, faiss and the TEXMEX sets):
/// each vector is a little-endian Int32 dimension `d` followed by `d` little-endian Float32 (`fvecs`)
/// or Int32 (`ivecs`) components. All vectors of a file must share one dimension.
public enum VectorFiles {
    /// Reads an `.fvecs` file into a row-major buffer; returns it with the dimension.
    public static func readFvecs(_ url: URL, limit: Int? = nil) throws -> (data: [Float], dimension: Int) {
        let (words, d) = try readRows(url, limit: limit)
        return (words.map { Float(bitPattern: $0) }, d)
    }

    /// Reads an `.ivecs` file (for example top-100 ground-truth ids) as rows of Int32.
    public static func readIvecs(_ url: URL, limit: Int? = nil) throws -> [[Int32]] {
        let (words, d) = try readRows(url, limit: limit)
        guard d > 0 else { return [] }
        return stride(from: 0, to: words.count, by: d).map { s in words[s ..< s + d].map { Int32(bitPattern: $0) } }
    }

    /// Writes a row-major buffer of `dimension`-component vectors as `.fvecs`.
    public static func writeFvecs(_ data: [Float], dimension: Int, to url: URL) throws {
        try writeRows(data.map(\.bitPattern), dimension: dimension, to: url)
    }

    /// Writes equally long rows of Int32 as `.ivecs`.
    public static func writeIvecs(_ rows: [[Int32]], to url: URL) throws {
        let d = rows.first?.count ?? 0
        guard rows.allSatisfy({ $0.count == d }) else {
            throw VectorFileError.io(path: url.path, reason: "ivecs rows must all have the same length")
        }
        try writeRows(rows.flatMap { $0.map { UInt32(bitPattern: $0) } }, dimension: d, to: url)
    }

    /// Appends one vector in `.fvecs` layout to `out` (for streaming writers).
    public static func appendFvecsRecord(_ v: [Float], to out: inout Data) {
        var d = UInt32(v.count).littleEndian
        withUnsafeBytes(of: &d) { out.append(contentsOf: $0) }
        for x in v {
            var b = x.bitPattern.littleEndian
            withUnsafeBytes(of: &b) { out.append(contentsOf: $0) }
        }
    }

    private static func readRows(_ url: URL, limit: Int?) throws -> ([UInt32], Int) {
        let data: Data
        do { data = try Data(contentsOf: url, options: .mappedIfSafe) } catch {
            throw VectorFileError.io(path: url.path, reason: error.localizedDescription)
        }
        if data.isEmpty { return ([], 0) }
        return try data.withUnsafeBytes { raw -> ([UInt32], Int) in
            let n = raw.count
            guard n >= 4 else { throw VectorFileError.malformed(path: url.path, offset: 0, reason: "shorter than a header") }
            let d = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt32.self)))
            guard d > 0, d < 1 << 24 else {
                throw VectorFileError.malformed(path: url.path, offset: 0, reason: "implausible dimension \(d)")
            }
            let rowBytes = 4 + 4 * d
            guard n % rowBytes == 0 else {
                throw VectorFileError.malformed(path: url.path, offset: n - n % rowBytes,
                                                reason: "size \(n) is not a multiple of the row size \(rowBytes) (truncated?)")
            }
            let rows = min(n / rowBytes, limit ?? Int.max)
            var out = [UInt32](repeating: 0, count: rows * d)
            for r in 0..<rows {
                let off = r * rowBytes
                let dr = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: off, as: UInt32.self)))
                guard dr == d else {
                    throw VectorFileError.malformed(path: url.path, offset: off, reason: "row \(r) has dimension \(dr), expected \(d)")
                }
                for j in 0..<d {
                    out[r * d + j] = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: off + 4 + 4 * j, as: UInt32.self))
                }
            }
            return (out, d)
        }
    }

    private static func writeRows(_ words: [UInt32], dimension d: Int, to url: URL) throws {
        guard d > 0, words.count % d == 0 else {
            throw VectorFileError.io(path: url.path, reason: "buffer of \(words.count) values is not a multiple of dimension \(d)")
        }
        var out = Data(capacity: words.count / d * (4 + 4 * d))
        for r in 0..<(words.count / d) {
            var dim = UInt32(d).littleEndian
            withUnsafeBytes(of: &dim) { out.append(contentsOf: $0) }
            words[r * d ..< (r + 1) * d].withUnsafeBufferPointer { p in
                for w in p { var le = w.littleEndian; withUnsafeBytes(of: &le) { out.append(contentsOf: $0) } }
            }
        }
        do { try out.write(to: url, options: .atomic) } catch {
            throw VectorFileError.io(path: url.path, reason: error.localizedDescription)
        }
    }
}
