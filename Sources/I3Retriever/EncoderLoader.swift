import Foundation

/// Chooses the encoder from command-line style settings.
public enum EncoderLoader {
    /// The name that selects the built-in hashed bag-of-words encoder (`hashed-bow` or `hashed-bow:<dimension>`).
    public static let hashedPrefix = "hashed-bow"

    /// The default model directory: `$I3_MODEL_DIR`, else `.models/all-MiniLM-L6-v2` under the current directory.
    public static var defaultModelDirectory: URL {
        if let env = ProcessInfo.processInfo.environment["I3_MODEL_DIR"], !env.isEmpty { return URL(fileURLWithPath: env) }
        return URL(fileURLWithPath: ".models/all-MiniLM-L6-v2")
    }

    /// Loads `model` (a model directory, or `hashed-bow[:d]`), with an optional projection head.
    /// - Parameters:
    ///   - batchSize: encoder batch size; threads: encoder threads (0: all cores).
    public static func load(model: String?, head: String?, batchSize: Int = 32, threads: Int = 0) throws -> any TextEncoding {
        let name = model ?? defaultModelDirectory.path
        if name == hashedPrefix || name.hasPrefix(hashedPrefix + ":") {
            guard head == nil else { throw RetrieverError.invalidArgument("a head does not apply to the \(hashedPrefix) encoder") }
            let d = name.split(separator: ":").dropFirst().first.flatMap { Int($0) } ?? 256
            return try HashedBagOfWordsEncoder(dimension: d)
        }
        let dir = URL(fileURLWithPath: name)
        guard FileManager.default.fileExists(atPath: dir.appendingPathComponent("model.safetensors").path) else {
            throw RetrieverError.modelNotFound(path: dir.path)
        }
        return try loadDualEncoder(directory: dir, head: head.map { URL(fileURLWithPath: $0) }, batchSize: batchSize, threads: threads)
    }
}
