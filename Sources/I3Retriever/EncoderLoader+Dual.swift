import Foundation
import I3Encoder

extension EncoderLoader {
    static func loadDualEncoder(directory: URL, head: URL?, batchSize: Int, threads: Int) throws -> any TextEncoding {
        var o = EncoderOptions()
        o.batchSize = batchSize
        o.threads = threads
        return try DualEncoder(modelDirectory: directory, head: head, options: o)
    }
}
