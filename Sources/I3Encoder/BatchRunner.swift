import Dispatch
import Foundation
import Synchronization
import VectorKernels
import WordPieceTokenizer

/// Runs a tower over texts: tokenises, sorts by length, cuts batches, and spreads the batches over
/// worker threads (each with its own scratch memory; BLAS runs on the thread that calls it). Small
/// inputs (one query, a few texts) run on the caller's thread. Nothing here changes process-wide state,
/// so concurrent callers do not disturb each other.
enum BatchRunner {
    /// Inputs of at most this many tokens in all run on the calling thread (one query, a few texts):
    /// waking workers costs more than it saves there, and the caller keeps its own thread.
    static let directPathTokens = 256

    static func encode(_ texts: [String], tower: EncoderTower, tokenizer: BertTokenizer,
                       options: EncoderOptions) throws -> [[Float]] {
        let n = texts.count
        guard n > 0 else { return [] }
        let threads = options.threads > 0 ? options.threads : ProcessInfo.processInfo.activeProcessorCount
        let maxLength = tower.maxLength

        // 1. tokenise (parallel over contiguous chunks when there are many texts)
        let ids = SharedBuffer<[Int32]>(count: n, initial: [])
        let tokWorkers = max(1, min(threads, n / 64))
        if tokWorkers == 1 {
            for i in 0..<n { ids[i] = tokenizer.encode(texts[i], maxLength: maxLength) }
        } else {
            DispatchQueue.concurrentPerform(iterations: tokWorkers) { w in
                let lo = n * w / tokWorkers, hi = n * (w + 1) / tokWorkers
                for i in lo..<hi { ids[i] = tokenizer.encode(texts[i], maxLength: maxLength) }
            }
        }
        let tokens = (0..<n).reduce(0) { $0 + ids[$1].count }

        // 2. sort by length (longest first) and cut batches; with fewer batches than threads, smaller
        // batches, so that every thread gets one (BLAS itself runs on one thread: see CBLAS.h)
        let order = (0..<n).sorted { ids[$0].count != ids[$1].count ? ids[$0].count > ids[$1].count : $0 < $1 }
        let direct = threads == 1 || tokens <= directPathTokens
        let batchSize = direct ? max(1, options.batchSize)
            : max(1, min(options.batchSize, (n + threads - 1) / threads))
        let batches = stride(from: 0, to: n, by: batchSize).map { Array(order[$0..<min(n, $0 + batchSize)]) }

        // 3. forward passes: on the calling thread for small inputs, else each worker takes the next batch
        // not yet taken, longest first, so that the workers finish together (measured on 2 cores: two
        // workers with one BLAS thread each beat one worker with two BLAS threads)
        let out = SharedBuffer<Float>(count: n * tower.model.config.hiddenSize, initial: 0)
        let workers = direct ? 1 : max(1, min(threads, batches.count))
        let next = Atomic<Int>(0)
        if workers == 1 {
            run(batches, next: next, ids: ids, tower: tower, batchSize: batchSize, into: out)
        } else {
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                run(batches, next: next, ids: ids, tower: tower, batchSize: batchSize, into: out)
            }
        }
        let d = tower.model.config.hiddenSize
        return (0..<n).map { i in out.array(from: i * d, count: d) }
    }

    /// Encodes the batches it takes from `next` with one scratch workspace, writing each text's vector at its index.
    private static func run(_ batches: [[Int]], next: borrowing Atomic<Int>, ids: SharedBuffer<[Int32]>,
                            tower: EncoderTower, batchSize: Int, into out: SharedBuffer<Float>) {
        let d = tower.model.config.hiddenSize
        let inter = max(tower.model.config.intermediateSize, tower.head?.intermediate ?? 0)
        let ws = Workspace(hidden: d, intermediate: inter)
        let headWS = tower.head.map { Workspace(hidden: d, intermediate: $0.intermediate) }
        var pooled = [Float](repeating: 0, count: batchSize * d)
        var final = [Float](repeating: 0, count: batchSize * d)
        while true {
            let b = next.wrappingAdd(1, ordering: .relaxed).oldValue
            guard b < batches.count else { return }
            let batch = batches[b]
            let offsets = tower.model.forward(batch.map { ids[$0] }, workspace: ws)
            pooled.withUnsafeMutableBufferPointer { pb in
                guard let p = pb.baseAddress else { return }
                Pooling.pool(ws.x, offsets: offsets, hidden: d, tower.pooling, into: p)
                if let head = tower.head, let hws = headWS {
                    final.withUnsafeMutableBufferPointer { fb in
                        guard let f = fb.baseAddress else { return }
                        head.apply(p, count: batch.count, into: f, workspace: hws)
                        for (k, i) in batch.enumerated() { out.copy(from: f + k * d, count: d, to: i * d) }
                    }
                    return
                }
                for (k, i) in batch.enumerated() { out.copy(from: p + k * d, count: d, to: i * d) }
            }
        }
    }
}
