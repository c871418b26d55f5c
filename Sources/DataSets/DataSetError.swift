/// Errors of the data-set readers, writers and builders: every case names the file (and line).
public enum DataSetError: Error, Sendable, CustomStringConvertible, Equatable {
    /// A file could not be read or written.
    case io(path: String, reason: String)
    /// A line of a queries, qrels, run or source file cannot be parsed.
    case malformedLine(path: String, line: Int, reason: String)
    /// A source file is readable but inconsistent (for example a dictionary index pointing past its data).
    case malformedSource(path: String, reason: String)

    public var description: String {
        switch self {
        case let .io(p, r): return "\(p): \(r)"
        case let .malformedLine(p, l, r): return "\(p):\(l): \(r)"
        case let .malformedSource(p, r): return "\(p) is unusable: \(r)"
        }
    }
}
