import Foundation

/// Errors raised while loading a model or encoding text. Each names the file and the problem.
public enum EncoderError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A file could not be opened or read.
    case unreadableFile(path: String, reason: String)
    /// A safetensors file is truncated or its header is malformed.
    case malformedSafetensors(path: String, reason: String)
    /// A tensor has a dtype the encoder cannot turn into floats.
    case unsupportedDType(path: String, tensor: String, dtype: String)
    /// A tensor the model needs is missing.
    case missingTensor(path: String, name: String)
    /// A tensor's shape does not match the configuration.
    case shapeMismatch(path: String, name: String, expected: [Int], found: [Int])
    /// The weights hold tensors the model does not know what to do with.
    case unexpectedTensors(path: String, names: [String])
    /// A configuration file is missing, malformed or inconsistent.
    case invalidConfiguration(path: String, reason: String)
    /// The vocabulary could not be loaded.
    case tokenizer(path: String, reason: String)
    /// An option is out of range.
    case invalidOption(String)
    /// OpenBLAS, which runs the forward pass, could not be opened: why.
    case blasUnavailable(String)

    public var description: String {
        switch self {
        case let .unreadableFile(path, reason): "cannot read \(path): \(reason)"
        case let .malformedSafetensors(path, reason): "malformed safetensors file \(path): \(reason)"
        case let .unsupportedDType(path, tensor, dtype):
            "\(path): tensor \(tensor) has dtype \(dtype); only F32, F16 and BF16 are supported"
        case let .missingTensor(path, name): "\(path): missing tensor \(name)"
        case let .shapeMismatch(path, name, expected, found):
            "\(path): tensor \(name) has shape \(found), the configuration implies \(expected)"
        case let .unexpectedTensors(path, names):
            "\(path): unexpected tensors \(names.prefix(8).joined(separator: ", "))\(names.count > 8 ? ", …" : "")"
        case let .invalidConfiguration(path, reason): "invalid configuration \(path): \(reason)"
        case let .tokenizer(path, reason): "cannot load the vocabulary \(path): \(reason)"
        case let .invalidOption(reason): "invalid encoder option: \(reason)"
        case let .blasUnavailable(reason): "the encoder needs BLAS: \(reason)"
        }
    }
}
