import DataSets
import Foundation

/// Errors of the retriever: every case names the file (and line) or setting that is wrong.
public enum RetrieverError: Error, Sendable, CustomStringConvertible, Equatable {
    /// A file could not be read or written.
    case io(path: String, reason: String)
    /// Input lines are malformed; the first few problems are listed (file:line: problem).
    case malformedInput(path: String, problems: [TSVProblem], total: Int)
    /// A query, qrels or run file line cannot be parsed.
    case malformedLine(path: String, line: Int, reason: String)
    /// The index directory was made with a different encoder than the one given.
    case encoderMismatch(directory: String, field: String, stored: String, given: String)
    /// The index directory is missing parts or is inconsistent.
    case corruptIndex(directory: String, reason: String)
    /// An argument or option is invalid.
    case invalidArgument(String)
    /// No model directory (with `model.safetensors`) at `path`.
    case modelNotFound(path: String)
    /// The output directory already exists (use overwrite) or a partial build conflicts.
    case outputExists(path: String, reason: String)
    /// The encoder failed.
    case encoding(String)
    /// A partial build cannot be resumed with these inputs: where it is and why.
    case resumeMismatch(partialDirectory: String, reason: String)
    /// The build was cancelled (for example by Ctrl-C); completed shards can be resumed.
    case cancelled(partialDirectory: String)

    public var description: String {
        switch self {
        case let .io(p, r): return "\(p): \(r)"
        case let .malformedInput(p, problems, total):
            var s = "\(p): \(total) malformed line\(total == 1 ? "" : "s"); nothing was written. "
            s += "Fix them, or build with skipMalformed to skip them and write a report.\n"
            s += problems.map { "  \($0)" }.joined(separator: "\n")
            if total > problems.count { s += "\n  ... and \(total - problems.count) more" }
            return s
        case let .malformedLine(p, l, r): return "\(p):\(l): \(r)"
        case let .encoderMismatch(d, f, s, g):
            return "\(d) was built with a different encoder: \(f) is \(s) in the index but \(g) for the given encoder; "
                + "re-index with this encoder or open it with the one that built it"
        case let .corruptIndex(d, r): return "index directory \(d) is unusable: \(r)"
        case let .invalidArgument(r): return r
        case let .modelNotFound(p):
            return "no model at \(p) (model.safetensors missing): give a sentence-transformers model directory, "
                + "or \(EncoderLoader.hashedPrefix) for the lexical test encoder"
        case let .outputExists(p, r): return "\(p): \(r)"
        case let .encoding(r): return "encoding failed: \(r)"
        case let .resumeMismatch(p, r): return "the partial build in \(p) cannot be resumed: \(r); build without resuming to start over"
        case let .cancelled(p): return "cancelled; completed shards are kept in \(p): build again with resume to continue"
        }
    }
}
