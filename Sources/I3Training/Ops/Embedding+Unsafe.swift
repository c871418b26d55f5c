/// BERT input embeddings before their LayerNorm: `e[t] = word[id_t] + position[t] + tokenType[0]`
/// for each token of packed sequences (positions restart at 0 in every sequence). Ids are checked
/// by the caller (`BertTower` refuses out-of-range ids).
///
/// Backward scatters the gradient back into the rows of the three tables that were read.
enum EmbeddingOp {
    static func forward(_ sequences: [[Int32]], word: UnsafePointer<Float>, position: UnsafePointer<Float>,
                        tokenType: UnsafePointer<Float>, hidden h: Int, into out: UnsafeMutablePointer<Float>) {
        var row = 0
        for s in sequences {
            for (p, id) in s.enumerated() {
                let o = out + row * h, w = word + Int(id) * h, ps = position + p * h
                for j in 0..<h { o[j] = w[j] + ps[j] + tokenType[j] }
                row += 1
            }
        }
    }

    static func backward(_ sequences: [[Int32]], dy: UnsafePointer<Float>, hidden h: Int,
                         word: UnsafeMutablePointer<Float>?, position: UnsafeMutablePointer<Float>?,
                         tokenType: UnsafeMutablePointer<Float>?) {
        var row = 0
        for s in sequences {
            for (p, id) in s.enumerated() {
                let g = dy + row * h
                if let w = word { let r = w + Int(id) * h; for j in 0..<h { r[j] += g[j] } }
                if let ps = position { let r = ps + p * h; for j in 0..<h { r[j] += g[j] } }
                if let t = tokenType { for j in 0..<h { t[j] += g[j] } }
                row += 1
            }
        }
    }
}
