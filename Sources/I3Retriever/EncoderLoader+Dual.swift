import Foundation

extension EncoderLoader {
    // Placeholder until the I3Encoder target lands: replaced by the DualEncoder loader.
    static func loadDualEncoder(directory: URL, head: URL?, batchSize: Int, threads: Int) throws -> any TextEncoding {
        throw RetrieverError.invalidArgument("the transformer encoder is not part of this build yet; use --model \(hashedPrefix)")
    }
}
