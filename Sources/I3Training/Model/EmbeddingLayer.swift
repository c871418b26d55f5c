/// BERT embeddings (`embeddings.{word,position,token_type}_embeddings`, `embeddings.LayerNorm`):
/// `LN(word[id] + position[t] + tokenType[0])`, token type 0 everywhere, as the inference encoder.
final class EmbeddingLayer {
    let word, position, tokenType: Parameter
    let norm: LayerNormLayer
    let hidden: Int
    let vocabularySize: Int
    let maxPositions: Int

    struct Cache {
        let sequences: [[Int32]]
        let norm: LayerNormLayer.Cache
    }

    init(prefix: String, vocabulary: Int, positions: Int, types: Int, hidden: Int, epsilon: Float,
         source: ParameterSource, group: ParameterGroup) throws {
        func table(_ n: String, _ rows: Int) throws -> Parameter {
            let name = prefix + "embeddings." + n
            return Parameter(name: name, shape: [rows, hidden], values: try source.values(name, shape: [rows, hidden]),
                             group: group)
        }
        word = try table("word_embeddings.weight", vocabulary)
        position = try table("position_embeddings.weight", positions)
        tokenType = try table("token_type_embeddings.weight", types)
        norm = try LayerNormLayer(prefix + "embeddings.LayerNorm", count: hidden, epsilon: epsilon, source: source, group: group)
        self.hidden = hidden
        vocabularySize = vocabulary
        maxPositions = positions
    }

    var parameters: [Parameter] { [word, position, tokenType] + norm.parameters }

    /// Sequences must be non-empty, at most `maxPositions` long, with ids below `vocabularySize`.
    func forward(_ sequences: [[Int32]], rows: Int) -> (FloatBuffer, Cache) {
        let e = FloatBuffer(count: rows * hidden)
        EmbeddingOp.forward(sequences, word: word.value.base, position: position.value.base,
                            tokenType: tokenType.value.base, hidden: hidden, into: e.base)
        let (y, nc) = norm.forward(e, residual: nil, rows: rows)
        return (y, Cache(sequences: sequences, norm: nc))
    }

    func backward(_ dy: FloatBuffer, cache: Cache) {
        let de = norm.backward(dy, cache: cache.norm)
        EmbeddingOp.backward(cache.sequences, dy: de.base, hidden: hidden,
                             word: word.frozen ? nil : word.gradient.base,
                             position: position.frozen ? nil : position.gradient.base,
                             tokenType: tokenType.frozen ? nil : tokenType.gradient.base)
    }
}
