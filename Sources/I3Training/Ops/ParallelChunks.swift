import CBLAS
import Dispatch
import Synchronization
import VectorKernels

/// The training step's threading: `workers` threads split every op (the matrix products by rows or
/// output columns, GELU, LayerNorm, bias sums, one attention job per sequence and head), each calling
/// BLAS on its own thread. OpenBLAS's own threads stay off (one thread per call) while training runs,
/// so the two thread pools never compete for cores: with OpenBLAS threading each product and the
/// elementwise work on one thread, a 2-core step spent ~20 % of its samples in OpenBLAS threads
/// spinning in `sched_yield` (README, "Training").
///
/// Chunk boundaries depend only on the count and the worker count, and every reduction adds its
/// chunks' partial sums in chunk order, so results are deterministic for a given thread count.
public enum ParallelChunks {
    private static let configured = Atomic<Int>(1)

    /// Workers the ops split into (1 outside `enter(workers:)`).
    static var workers: Int { configured.load(ordering: .relaxed) }

    /// What `enter(workers:)` replaced, for `restore()`.
    public struct Session: Sendable {
        let workers: Int
        let blasThreads: Int32
        /// Puts back the worker count and the BLAS thread count from before `enter`.
        public func restore() {
            ParallelChunks.configured.store(workers, ordering: .relaxed)
            i3blas_set_num_threads(blasThreads)
        }
    }

    /// Training with `workers` threads starts: the ops split into that many chunks and BLAS runs on
    /// one thread per call (process-wide, like any BLAS setting) until `restore()`.
    public static func enter(workers: Int) -> Session {
        let session = Session(workers: self.workers, blasThreads: i3blas_get_num_threads())
        configured.store(max(1, workers), ordering: .relaxed)
        i3blas_set_num_threads(1)
        return session
    }

    /// The contiguous ranges `body` is called with: `0..<count` cut into at most `workers` chunks of
    /// at least `minimumPerChunk` items, every boundary a multiple of `granularity` (a SIMD kernel's
    /// width, so that the kernel's scalar tail falls where it would without chunks).
    static func chunks(count: Int, minimumPerChunk: Int, granularity: Int = 1,
                       workers: Int = ParallelChunks.workers) -> [Range<Int>] {
        guard count > 0 else { return [] }
        let g = max(1, granularity), blocks = (count + g - 1) / g
        let n = max(1, min(workers, count / max(1, minimumPerChunk), blocks))
        return (0..<n).map { min(count, blocks * $0 / n * g)..<min(count, blocks * ($0 + 1) / n * g) }
    }

    /// Calls `body(chunkIndex, range)` for every chunk of `chunks(count:minimumPerChunk:granularity:)`,
    /// on concurrent workers when there is more than one chunk; returns when all are done. Chunks must
    /// write disjoint memory.
    static func forEach(count: Int, minimumPerChunk: Int, granularity: Int = 1, _ body: (Int, Range<Int>) -> Void) {
        let parts = chunks(count: count, minimumPerChunk: minimumPerChunk, granularity: granularity)
        if parts.count <= 1 {
            if let only = parts.first { body(0, only) }
            return
        }
        withoutActuallyEscaping(body) { body in
            let shared = UnsafeSendablePointer(body)  // the workers touch disjoint chunks
            DispatchQueue.concurrentPerform(iterations: parts.count) { shared.pointer($0, parts[$0]) }
        }
    }

    /// Runs `items` independent jobs (e.g. one per sequence and head, each a few small products):
    /// `body(worker, item)` once per item, the items split in contiguous runs, one run per worker.
    static func forEachItem(_ items: Int, _ body: (Int, Int) -> Void) {
        forEach(count: items, minimumPerChunk: 1) { worker, run in
            for i in run { body(worker, i) }
        }
    }
}
