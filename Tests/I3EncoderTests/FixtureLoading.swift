import Foundation
import TestSupport

/// Fixture helpers for the encoder tests (files written by tools/generate_encoder_fixtures.py).
enum EncoderFixtures {
    static var directory: URL { FixturePaths.root.appendingPathComponent("encoder") }
    static var tinyI3: URL { directory.appendingPathComponent("i3_tiny") }

    /// Little-endian float32 file as rows of `dimension`.
    static func rows(_ url: URL, dimension: Int) throws -> [[Float]] {
        let data = try Data(contentsOf: url)
        let floats = data.withUnsafeBytes { raw in
            (0..<(data.count / 4)).map { Float(bitPattern: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self)) }
        }
        return stride(from: 0, to: floats.count, by: dimension).map { Array(floats[$0..<($0 + dimension)]) }
    }

    static func maxAbsDiff(_ a: [Float], _ b: [Float]) -> Float {
        guard a.count == b.count else { return .infinity }
        return zip(a, b).map { abs($0 - $1) }.max() ?? 0
    }

    static func cosine(_ a: [Float], _ b: [Float]) -> Float {
        var d: Float = 0, na: Float = 0, nb: Float = 0
        for (x, y) in zip(a, b) { d += x * y; na += x * x; nb += y * y }
        return d / max(1e-30, (na * nb).squareRoot())
    }

    struct TinyTexts: Decodable {
        let queries: [String]
        let passages: [String]
        let dimension: Int
    }

    static func tinyTexts() throws -> TinyTexts {
        try JSONDecoder().decode(TinyTexts.self, from: Data(contentsOf: tinyI3.appendingPathComponent("texts.json")))
    }
}
