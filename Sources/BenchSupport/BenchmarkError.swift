/// Errors of the benchmark support code, each naming the file or value at fault.
public enum BenchmarkError: Error, Sendable, CustomStringConvertible {
    /// A data set directory lacks a file or holds one that does not fit the others.
    case badDataset(directory: String, reason: String)
    /// A results JSON file could not be read, parsed or written.
    case badJSON(path: String, reason: String)
    /// A command-line value is out of range or malformed.
    case badArgument(name: String, reason: String)

    public var description: String {
        switch self {
        case let .badDataset(d, r): return "data set \(d): \(r)"
        case let .badJSON(p, r): return "\(p): \(r)"
        case let .badArgument(n, r): return "invalid \(n): \(r)"
        }
    }
}
