import CBLAS
import Dispatch
import Foundation
import VectorKernels
import WordPieceTokenizer

/// Runs a tower over many texts: tokenises in parallel, sorts by length, cuts batches, and spreads
/// the batches over worker threads (each with its own scratch memory and single-threaded BLAS).
enum BatchRunner {
    static func encode(_ texts: [String], tower: EncoderTower, tokenizer: BertTokenizer,
                       options: EncoderOptions) throws -> [[Float]] {
        let n = texts.count
        guard n > 0 else { return [] }
        let d = tower.model.config.hiddenSize
        let threads = options.threads > 0 ? options.threads : ProcessInfo.processInfo.activeProcessorCount
        let maxLength = tower.maxLength

        // 1. tokenise (parallel over contiguous chunks)
        let ids = SharedBuffer<[Int32]>(count: n, initial: [])
        let tokWorkers = max(1, min(threads, n / 64))
        DispatchQueue.concurrentPerform(iterations: tokWorkers) { w in
            let lo = n * w / tokWorkers, hi = n * (w + 1) / tokWorkers
            for i in lo..<hi { ids[i] = tokenizer.encode(texts[i], maxLength: maxLength) }
        }

        // 2. sort by length (longest first) and cut batches
        let order = (0..<n).sorted { ids[$0].count != ids[$1].count ? ids[$0].count > ids[$1].count : $0 < $1 }
        let batchSize = max(1, options.batchSize)
        let batches = stride(from: 0, to: n, by: batchSize).map { Array(order[$0..<min(n, $0 + batchSize)]) }

        // 3. forward passes: workers take batches round-robin; BLAS threads fill the remaining cores
        // (measured on 2 cores: two workers with one BLAS thread each beat one worker with two BLAS
        // threads for batched work; a lone short batch such as one query runs fastest on one thread)
        let workers = max(1, min(threads, batches.count))
        let rows = ids.count > 0 ? (0..<n).reduce(0) { $0 + ids[$1].count } : 0
        let blasThreads = workers == 1 && rows < 256 ? 1 : max(1, threads / workers)
        openblas_set_num_threads(Int32(blasThreads))
        let out = SharedBuffer<Float>(count: n * d, initial: 0)
        let inter = max(tower.model.config.intermediateSize, tower.head?.intermediate ?? 0)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let ws = Workspace(hidden: d, intermediate: inter)
            let headWS = tower.head.map { Workspace(hidden: d, intermediate: $0.intermediate) }
            var pooled = [Float](repeating: 0, count: batchSize * d)
            var final = [Float](repeating: 0, count: batchSize * d)
            for b in stride(from: w, to: batches.count, by: workers) {
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
        return (0..<n).map { i in out.array(from: i * d, count: d) }
    }
}
