import CBLAS
import Foundation
import I3Encoder

/// One training batch: `queries.count` queries, each with `group` passages (its positive first, then
/// hard negatives), so `passages.count == queries.count · group`. `targets[i]` are the reconstruction
/// targets of passage i (the query's word pieces for a positive, empty otherwise).
public struct TrainingBatch: Sendable {
    public var queries: [[Int32]]
    public var passages: [[Int32]]
    public var group: Int
    public var targets: [[Int32]]

    public init(queries: [[Int32]], passages: [[Int32]], group: Int, targets: [[Int32]] = []) {
        self.queries = queries
        self.passages = passages
        self.group = group
        self.targets = targets
    }
}

/// Losses of one step (before the optimizer update).
public struct StepLoss: Sendable, Equatable {
    /// InfoNCE.
    public var contrastive: Double
    /// Reconstruction cross-entropy (0 without a head or with β = 0).
    public var reconstruction: Double
    /// `contrastive + β·reconstruction`.
    public var total: Double
}

/// The dual encoder being trained: a query tower and a passage tower (the same object when shared),
/// and an optional I^3 head on the passage side. Scores are `scale·q·p` (see `InfoNCEOp`).
public final class TrainableDualEncoder {
    public let queryTower: BertTower
    public let passageTower: BertTower
    public let head: I3HeadModel?
    /// Logit scale of InfoNCE (1/τ).
    public let scale: Float

    public var sharedTowers: Bool { queryTower === passageTower }

    public init(queryTower: BertTower, passageTower: BertTower, head: I3HeadModel?, scale: Float) throws {
        let blas = i3blas_status().pointee
        guard blas.loaded != 0 else {
            throw TrainingError.blasUnavailable(blas.error.map { String(cString: $0) } ?? "OpenBLAS could not be loaded")
        }
        guard queryTower.config.hiddenSize == passageTower.config.hiddenSize else {
            throw TrainingError.invalidOption("query and passage towers have different hidden sizes")
        }
        if let h = head, h.hidden != passageTower.config.hiddenSize {
            throw TrainingError.invalidOption("head hidden size \(h.hidden) ≠ passage tower \(passageTower.config.hiddenSize)")
        }
        guard scale > 0, scale.isFinite else { throw TrainingError.invalidOption("scale \(scale) must be positive") }
        self.queryTower = queryTower
        self.passageTower = passageTower
        self.head = head
        self.scale = scale
    }

    /// Every distinct parameter (a shared tower once).
    public var parameters: [Parameter] {
        var ps = queryTower.parameters
        if !sharedTowers { ps += passageTower.parameters }
        if let h = head { ps += h.parameters }
        return ps
    }

    public func zeroGradients() { for p in parameters { p.zeroGradient() } }

    /// Passage vectors as the inference encoder produces them (tower, pooling, head); no caches kept.
    public func encodePassages(_ sequences: [[Int32]]) -> [[Float]] {
        let (h, _) = passageTower.forward(sequences, keepCache: false)
        var out = h
        if let head {
            out = head.forward(h, passages: sequences.count, embeddings: passageTower.embeddings, targets: [], beta: 0).p
        }
        return rows(out, count: sequences.count)
    }

    /// Query vectors (query tower and pooling).
    public func encodeQueries(_ sequences: [[Int32]]) -> [[Float]] {
        rows(queryTower.forward(sequences, keepCache: false).0, count: sequences.count)
    }

    private func rows(_ b: FloatBuffer, count: Int) -> [[Float]] {
        let d = passageTower.config.hiddenSize
        return (0..<count).map { Array(UnsafeBufferPointer(start: b.base + $0 * d, count: d)) }
    }

    /// Forward and backward of one batch: accumulates every parameter's gradient of
    /// `InfoNCE + β·L_rec` and returns the losses. Throws on malformed batches.
    public func accumulateGradients(_ batch: TrainingBatch, beta: Float) throws -> StepLoss {
        let b = batch.queries.count, g = batch.group
        guard b > 0, g > 0, batch.passages.count == b * g else {
            throw TrainingError.invalidOption("batch of \(b) queries × group \(g) has \(batch.passages.count) passages")
        }
        if let why = queryTower.problem(with: batch.queries) { throw TrainingError.invalidOption("query " + why) }
        if let why = passageTower.problem(with: batch.passages) { throw TrainingError.invalidOption("passage " + why) }
        let d = passageTower.config.hiddenSize, m = b * g
        let (q, qc) = queryTower.forward(batch.queries)
        let (h, pc) = passageTower.forward(batch.passages)
        var p = h
        var headCache: I3HeadModel.Cache?
        var rec = 0.0
        if let head {
            let r = head.forward(h, passages: m, embeddings: passageTower.embeddings, targets: batch.targets, beta: beta)
            p = r.p; rec = r.reconstructionLoss; headCache = r.cache
        }
        let dq = FloatBuffer(count: b * d), dp = FloatBuffer(count: m * d)
        let ce = InfoNCEOp.lossAndGradients(q: q.base, queries: b, p: p.base, passages: m, dimension: d, group: g,
                                            scale: scale, dq: dq.base, dp: dp.base)
        var dh = dp
        if let head, let hc = headCache {
            dh = head.backward(dp, cache: hc, embeddings: passageTower.embeddings,
                               embeddingsTrainable: passageTower.frozenLayers == 0)
        }
        passageTower.backward(dh, cache: pc)
        queryTower.backward(dq, cache: qc)
        let weighted = head == nil ? 0 : Double(beta) * rec
        return StepLoss(contrastive: ce, reconstruction: rec, total: ce + weighted)
    }
}
