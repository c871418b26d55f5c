import Foundation
import I3Encoder
import VectorKernels

/// Where initial parameter values come from: a checkpoint, or a seeded BERT initialisation.
public protocol ParameterSource {
    /// The values of tensor `name` with `shape` (row-major), or a typed error naming the file.
    func values(_ name: String, shape: [Int]) throws -> [Float]
}

/// Tensors of a safetensors file, under an optional name prefix (`bert.`, `lm_p.`); records what was
/// read so that leftovers can be refused.
public final class SafetensorsParameterSource: ParameterSource {
    let file: SafetensorsFile
    let prefix: String
    private(set) var used: Set<String> = []

    public init(url: URL, prefix: String = "") throws {
        file = try SafetensorsFile(url: url)
        self.prefix = prefix
    }

    public func values(_ name: String, shape: [Int]) throws -> [Float] {
        let v = try file.floatArray(prefix + name, shape: shape)
        used.insert(prefix + name)
        return v
    }

    /// True when the file has tensor `name` (under the prefix).
    public func has(_ name: String) -> Bool { file.tensors[prefix + name] != nil }

    /// Tensor names not read, other than those starting with one of `ignoring`.
    public func unused(ignoring: [String] = []) -> [String] {
        file.tensors.keys.filter { k in !used.contains(k) && !ignoring.contains(where: { k.hasPrefix($0) }) }.sorted()
    }
}

/// BERT's initialisation (`initializer_range` 0.02): weights ~ N(0, σ²), biases 0, LayerNorm γ = 1 and
/// β = 0, seeded. Names ending in `LayerNorm.weight` get ones, other `.weight`s the normal draw.
public final class RandomParameterSource: ParameterSource {
    private var rng: SeededRandom
    let standardDeviation: Float

    public init(seed: UInt64, standardDeviation: Float = 0.02) {
        rng = SeededRandom(seed: seed)
        self.standardDeviation = standardDeviation
    }

    public func values(_ name: String, shape: [Int]) throws -> [Float] {
        let n = shape.reduce(1, *)
        if name.hasSuffix("LayerNorm.weight") { return [Float](repeating: 1, count: n) }
        if !name.hasSuffix(".weight") { return [Float](repeating: 0, count: n) }
        return (0..<n).map { _ in rng.nextGaussian() * standardDeviation }
    }
}

/// Reads each tensor from `primary` when it has it, otherwise from `fallback` (a head file without the
/// training-only `cls.*` MLM head gets a fresh one).
public final class FallbackParameterSource: ParameterSource {
    let primary: SafetensorsParameterSource
    let fallback: ParameterSource

    public init(primary: SafetensorsParameterSource, fallback: ParameterSource) {
        self.primary = primary
        self.fallback = fallback
    }

    public func values(_ name: String, shape: [Int]) throws -> [Float] {
        primary.has(name) ? try primary.values(name, shape: shape) : try fallback.values(name, shape: shape)
    }
}
