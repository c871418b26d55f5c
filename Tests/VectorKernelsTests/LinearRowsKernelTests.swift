import CVectorKernels
import Testing
import VectorKernels

/// `ivk_linear_rows_f32`, the encoder's dense layer for a query's few rows.
@Suite(.serialized) struct LinearRowsKernelTests {
    /// `y = x · Wᵀ + b` summed in double: the definition the kernels are held to.
    static func reference(_ x: [Float], rows: Int, _ w: [Float], _ bias: [Float]?, inFeatures: Int,
                          outFeatures: Int) -> [Double] {
        var y = [Double](repeating: 0, count: rows * outFeatures)
        for r in 0..<rows {
            for j in 0..<outFeatures {
                var s = 0.0
                for k in 0..<inFeatures { s += Double(x[r * inFeatures + k]) * Double(w[j * inFeatures + k]) }
                y[r * outFeatures + j] = s + Double(bias?[j] ?? 0)
            }
        }
        return y
    }

    static func run(_ x: [Float], rows: Int, _ w: [Float], _ bias: [Float]?, inFeatures: Int,
                    outFeatures: Int, scalar: Bool = false) -> [Float] {
        var y = [Float](repeating: .nan, count: rows * outFeatures)
        if let bias {
            if scalar {
                ivk_linear_rows_f32_scalar(x, rows, w, bias, inFeatures, outFeatures, &y)
            } else {
                ivk_linear_rows_f32(x, rows, w, bias, inFeatures, outFeatures, &y)
            }
        } else if scalar {
            ivk_linear_rows_f32_scalar(x, rows, w, nil, inFeatures, outFeatures, &y)
        } else {
            ivk_linear_rows_f32(x, rows, w, nil, inFeatures, outFeatures, &y)
        }
        return y
    }

    /// Every ISA level the CPU has (scalar twin included) matches the definition for row counts around
    /// the 4- and 3-row blocks, input widths with and without a SIMD tail, output counts around the
    /// 4-output groups, with and without a bias; every output is written.
    @Test func matchesTheDefinitionAtEveryLevel() {
        let cpuLevel = ivk_isa_level()
        defer { _ = ivk_force_isa_level(cpuLevel) }
        var rng = SeededRandom(seed: 21)
        for level in 0...cpuLevel {
            #expect(ivk_force_isa_level(Int32(level)) == Int32(level))
            for rows in [1, 2, 3, 4, 5, 7, 8, 9, 13] {
                for inFeatures in [1, 7, 8, 15, 16, 17, 33, 384] {
                    for outFeatures in [1, 2, 3, 4, 5, 9, 17] {
                        let x = (0..<(rows * inFeatures)).map { _ in rng.nextGaussian() }
                        let w = (0..<(outFeatures * inFeatures)).map { _ in rng.nextGaussian() }
                        let bias = rows % 2 == 0 ? nil : (0..<outFeatures).map { _ in rng.nextGaussian() }
                        let want = Self.reference(x, rows: rows, w, bias, inFeatures: inFeatures,
                                                  outFeatures: outFeatures)
                        let got = Self.run(x, rows: rows, w, bias, inFeatures: inFeatures, outFeatures: outFeatures)
                        let tol = 1e-5 * Double(inFeatures).squareRoot() * 4
                        let worst = zip(got, want).map { abs(Double($0) - $1) }.max() ?? 0
                        #expect(worst <= tol, "level \(level) rows \(rows) in \(inFeatures) out \(outFeatures): \(worst)")
                    }
                }
            }
        }
    }

    /// At a MiniLM shape (384 → 1536 and back, 20 rows) the dispatched kernel and the scalar twin agree
    /// with the definition to float rounding.
    @Test func miniLMShapesMatchTheScalarTwin() {
        var rng = SeededRandom(seed: 22)
        for (inFeatures, outFeatures) in [(384, 1536), (1536, 384), (384, 384)] {
            let rows = 20
            let x = (0..<(rows * inFeatures)).map { _ in rng.nextGaussian() }
            let w = (0..<(outFeatures * inFeatures)).map { _ in rng.nextGaussian() * 0.05 }
            let bias = (0..<outFeatures).map { _ in rng.nextGaussian() }
            let want = Self.reference(x, rows: rows, w, bias, inFeatures: inFeatures, outFeatures: outFeatures)
            let simd = Self.run(x, rows: rows, w, bias, inFeatures: inFeatures, outFeatures: outFeatures)
            let scalar = Self.run(x, rows: rows, w, bias, inFeatures: inFeatures, outFeatures: outFeatures,
                                  scalar: true)
            let tol = 1e-4 * Double(inFeatures).squareRoot() * 0.05 * 4
            #expect((zip(simd, want).map { abs(Double($0) - $1) }.max() ?? 1) <= tol)
            #expect((zip(scalar, want).map { abs(Double($0) - $1) }.max() ?? 1) <= tol)
        }
    }

    /// A row's outputs are bit for bit the same whether it is computed alone or at any position of a
    /// batch of any size, at every level: the property that lets the server encode waiting queries
    /// together without changing their answers.
    @Test func aRowsResultDoesNotDependOnTheOtherRows() {
        let cpuLevel = ivk_isa_level()
        defer { _ = ivk_force_isa_level(cpuLevel) }
        var rng = SeededRandom(seed: 23)
        let inFeatures = 67, outFeatures = 11
        let w = (0..<(outFeatures * inFeatures)).map { _ in rng.nextGaussian() }
        let bias = (0..<outFeatures).map { _ in rng.nextGaussian() }
        let batch = 10
        let x = (0..<(batch * inFeatures)).map { _ in rng.nextGaussian() }
        for level in 0...cpuLevel {
            _ = ivk_force_isa_level(Int32(level))
            let all = Self.run(x, rows: batch, w, bias, inFeatures: inFeatures, outFeatures: outFeatures)
            for start in 0..<batch {
                for count in 1...(batch - start) {
                    let part = Array(x[(start * inFeatures)..<((start + count) * inFeatures)])
                    let got = Self.run(part, rows: count, w, bias, inFeatures: inFeatures, outFeatures: outFeatures)
                    let same = Array(all[(start * outFeatures)..<((start + count) * outFeatures)])
                    #expect(got == same, "level \(level) rows \(start)..<\(start + count)")
                }
            }
        }
    }

    /// Zero rows or zero outputs write nothing; zero inputs give the bias.
    @Test func emptyShapes() {
        var y: [Float] = [42]
        ivk_linear_rows_f32([], 0, [1, 2], [3], 2, 1, &y)
        #expect(y == [42])
        ivk_linear_rows_f32([1, 2], 1, [], [], 2, 0, &y)
        #expect(y == [42])
        var z = [Float](repeating: .nan, count: 2)
        ivk_linear_rows_f32([], 2, [], [5], 0, 1, &z)
        #expect(z == [5, 5])
    }
}
