import Foundation

/// Read access for the training target (`I3Training`), which copies tensors into its own trainable
/// storage. Additive: the inference path keeps its zero-copy `floats(_:)`.
extension SafetensorsFile {
    /// The values of tensor `name` as a new array (F32, F16 or BF16 converted to F32), after checking
    /// that its shape is `shape`. Errors name the file and the tensor.
    package func floatArray(_ name: String, shape: [Int]) throws -> [Float] {
        guard let info = tensors[name] else { throw EncoderError.missingTensor(path: path, name: name) }
        guard info.shape == shape else {
            throw EncoderError.shapeMismatch(path: path, name: name, expected: shape, found: info.shape)
        }
        let t = try floats(info)
        return Array(UnsafeBufferPointer(start: t.pointer, count: info.elementCount))
    }
}

/// The parts of a sentence-transformers directory that the training target needs.
package enum SentenceTransformerDirectory {
    /// Pooling and maximum sequence length, read as `DualEncoder(modelDirectory:)` reads them.
    package static func poolingAndLength(_ directory: URL) throws -> (pooling: PoolingConfiguration, maxSequenceLength: Int?) {
        let c = try SentenceTransformerConfiguration.load(directory: directory)
        return (c.pooling, c.maxSequenceLength)
    }
}

extension PoolingConfiguration {
    /// A pooling configuration (for the training target, which writes sentence-transformers directories).
    package init(trainingMode mode: Mode, normalize: Bool) {
        self.init(mode: mode, normalize: normalize)
    }
}
