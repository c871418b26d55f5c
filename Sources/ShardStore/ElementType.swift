/// The element type of a column. Values are stored little-endian, back to back, with no padding.
public enum ElementType: String, Codable, Sendable, CaseIterable {
    /// IEEE 754 binary32.
    case float32
    /// IEEE 754 binary16.
    case float16
    /// Unsigned bytes.
    case uint8
    /// Two's-complement 32-bit integers.
    case int32
    /// Two's-complement 64-bit integers.
    case int64
    /// UTF-8 text; one record is one string (its bytes, no terminator).
    case utf8

    /// Bytes per element.
    public var byteWidth: Int {
        switch self {
        case .float32, .int32: return 4
        case .float16: return 2
        case .uint8, .utf8: return 1
        case .int64: return 8
        }
    }
}
