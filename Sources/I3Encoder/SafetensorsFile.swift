import Foundation

/// A memory-mapped safetensors file (https://github.com/huggingface/safetensors, format section).
///
/// Layout: an unsigned 64-bit little-endian header length `n`, `n` bytes of JSON
/// (`{"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {..}}`),
/// then the data; offsets are relative to byte `8 + n`. Opening validates the header JSON, every
/// dtype, shape, offset pair and size against the file; F32 tensors are then read zero-copy from
/// the mapping, F16 and BF16 tensors are converted to F32 on load.
public final class SafetensorsFile: Sendable {
    /// Element types of the format.
    public enum DType: String, Sendable, CaseIterable {
        case F64, F32, F16, BF16, I64, I32, I16, I8, U64, U32, U16, U8, BOOL
        var byteSize: Int {
            switch self {
            case .F64, .I64, .U64: 8
            case .F32, .I32, .U32: 4
            case .F16, .BF16, .I16, .U16: 2
            case .I8, .U8, .BOOL: 1
            }
        }
    }

    /// One tensor's header entry.
    public struct TensorInfo: Sendable {
        public let name: String
        public let dtype: DType
        public let shape: [Int]
        /// Byte range in the file (absolute).
        public let byteRange: Range<Int>
        public var elementCount: Int { shape.reduce(1, *) }
    }

    /// Path of the file.
    public let path: String
    /// Tensor entries by name.
    public let tensors: [String: TensorInfo]
    /// The `__metadata__` string map (empty when absent).
    public let metadata: [String: String]
    let file: MappedFile

    /// Size of the file in bytes.
    public var byteCount: Int { file.bytes.count }

    /// Maps and validates `url`.
    public init(url: URL) throws {
        let file = try MappedFile(url: url)
        let path = url.path
        func bad(_ reason: String) -> EncoderError { .malformedSafetensors(path: path, reason: reason) }
        let bytes = file.bytes
        guard bytes.count >= 8 else { throw bad("\(bytes.count) bytes, shorter than the 8-byte header length") }
        var n: UInt64 = 0
        for i in 0..<8 { n |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard n <= UInt64(bytes.count - 8) else {
            throw bad("header length \(n) exceeds the file size \(bytes.count) (truncated file?)")
        }
        guard n <= 100_000_000 else { throw bad("header length \(n) is implausibly large") }
        let headerEnd = 8 + Int(n)
        let headerData = Data(bytes[8..<headerEnd])
        let json: Any
        do { json = try JSONSerialization.jsonObject(with: headerData) } catch {
            throw bad("header is not valid JSON (\(error.localizedDescription))")
        }
        guard let object = json as? [String: Any] else { throw bad("header is not a JSON object") }
        let dataSize = bytes.count - headerEnd
        var tensors: [String: TensorInfo] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in object {
            if name == "__metadata__" {
                guard let m = value as? [String: Any] else { throw bad("__metadata__ is not an object") }
                for (k, v) in m {
                    guard let s = v as? String else { throw bad("__metadata__ value \(k) is not a string") }
                    metadata[k] = s
                }
                continue
            }
            guard let entry = value as? [String: Any] else { throw bad("entry \(name) is not an object") }
            guard let dt = entry["dtype"] as? String else { throw bad("tensor \(name) has no dtype") }
            guard let dtype = DType(rawValue: dt) else {
                throw EncoderError.unsupportedDType(path: path, tensor: name, dtype: dt)
            }
            guard let shapeAny = entry["shape"] as? [Any] else { throw bad("tensor \(name) has no shape") }
            var shape: [Int] = []
            for s in shapeAny {
                guard let d = (s as? NSNumber)?.intValue, d >= 0 else { throw bad("tensor \(name) has a bad shape") }
                shape.append(d)
            }
            guard let offAny = entry["data_offsets"] as? [Any], offAny.count == 2,
                  let begin = (offAny[0] as? NSNumber)?.intValue, let end = (offAny[1] as? NSNumber)?.intValue
            else { throw bad("tensor \(name) has no [begin, end] data_offsets") }
            guard begin >= 0, end >= begin else { throw bad("tensor \(name) has offsets [\(begin), \(end)]") }
            guard end <= dataSize else {
                throw bad("tensor \(name) ends at \(end), past the \(dataSize) data bytes (truncated file?)")
            }
            var count = 1
            for d in shape {
                let (m, o) = count.multipliedReportingOverflow(by: d)
                guard !o else { throw bad("tensor \(name) shape overflows") }
                count = m
            }
            let (expected, o) = count.multipliedReportingOverflow(by: dtype.byteSize)
            guard !o, expected == end - begin else {
                throw bad("tensor \(name): shape \(shape) × \(dtype.byteSize) bytes ≠ \(end - begin) bytes")
            }
            tensors[name] = TensorInfo(name: name, dtype: dtype, shape: shape,
                                       byteRange: (headerEnd + begin)..<(headerEnd + end))
        }
        self.path = path
        self.tensors = tensors
        self.metadata = metadata
        self.file = file
    }

    /// The float values of `name` (F32 zero-copy when aligned; F16/BF16 converted).
    func floats(_ name: String) throws -> FloatTensor {
        guard let info = tensors[name] else { throw EncoderError.missingTensor(path: path, name: name) }
        return try floats(info)
    }

    func floats(_ info: TensorInfo) throws -> FloatTensor {
        guard let base = file.bytes.baseAddress else {
            throw EncoderError.malformedSafetensors(path: path, reason: "empty mapping")
        }
        let raw = base + info.byteRange.lowerBound
        let n = info.elementCount
        switch info.dtype {
        case .F32:
            if Int(bitPattern: raw) % MemoryLayout<Float>.alignment == 0 {
                return FloatTensor(pointer: raw.assumingMemoryBound(to: Float.self), shape: info.shape, owner: file)
            }
            let s = FloatStorage(count: n)
            memcpy(s.pointer, raw, n * 4)
            return FloatTensor(pointer: UnsafePointer(s.pointer), shape: info.shape, owner: s)
        case .F16:
            let s = FloatStorage(count: n)
            for i in 0..<n {
                let bits = UInt16(raw.load(fromByteOffset: 2 * i, as: UInt8.self))
                    | UInt16(raw.load(fromByteOffset: 2 * i + 1, as: UInt8.self)) << 8
                s.pointer[i] = HalfPrecision.float(fromHalfBits: bits)
            }
            return FloatTensor(pointer: UnsafePointer(s.pointer), shape: info.shape, owner: s)
        case .BF16:
            let s = FloatStorage(count: n)
            for i in 0..<n {
                let bits = UInt32(raw.load(fromByteOffset: 2 * i, as: UInt8.self))
                    | UInt32(raw.load(fromByteOffset: 2 * i + 1, as: UInt8.self)) << 8
                s.pointer[i] = Float(bitPattern: bits << 16)
            }
            return FloatTensor(pointer: UnsafePointer(s.pointer), shape: info.shape, owner: s)
        default:
            throw EncoderError.unsupportedDType(path: path, tensor: info.name, dtype: info.dtype.rawValue)
        }
    }

    /// A stable 128-bit hex digest of the whole file's bytes (header and data).
    func contentDigest() -> String {
        WeightDigest.hex(of: file.bytes)
    }
}

/// A float tensor view that keeps its backing storage (mapping or converted copy) alive.
struct FloatTensor: @unchecked Sendable {
    let pointer: UnsafePointer<Float>
    let shape: [Int]
    let owner: any AnyObject & Sendable
    var count: Int { shape.reduce(1, *) }
}

/// IEEE half precision to single precision, bit-exact (normals, subnormals, infinities, NaN).
enum HalfPrecision {
    static func float(fromHalfBits h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exp = UInt32(h >> 10) & 0x1F
        var mant = UInt32(h & 0x3FF)
        if exp == 0 {
            if mant == 0 { return Float(bitPattern: sign) }
            var e: UInt32 = 127 - 15 + 1
            while mant & 0x400 == 0 { mant <<= 1; e -= 1 }
            mant &= 0x3FF
            return Float(bitPattern: sign | (e << 23) | (mant << 13))
        }
        if exp == 31 { return Float(bitPattern: sign | 0x7F80_0000 | (mant << 13)) }
        return Float(bitPattern: sign | ((exp + 127 - 15) << 23) | (mant << 13))
    }
}
