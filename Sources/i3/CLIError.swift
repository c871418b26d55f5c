import I3Retriever

/// A readable error for the command line (no Swift type dump). Errors of the library say what is wrong
/// in the library's terms; here they gain the `i3` flag or script that fixes them.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }

    init(_ e: RetrieverError) {
        let hint: String? = switch e {
        case .malformedInput: "pass --skip-malformed to skip them and write a report"
        case .outputExists: "pass --overwrite to replace it"
        case .cancelled: "rerun with --resume to continue"
        case .modelNotFound: "run scripts/install-deps.sh, pass --model <dir>, or --model \(EncoderLoader.hashedPrefix)"
        case .resumeMismatch: "rerun without --resume"
        default: nil
        }
        description = e.description + (hint.map { "\n(\($0))" } ?? "")
    }
}
