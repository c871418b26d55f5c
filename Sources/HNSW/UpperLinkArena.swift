/// The upper-level link lists of all nodes, packed into a few large chunks instead of one heap block
/// per node: a node reaching level L > 0 takes L consecutive *blocks* of `blockWords` = 1 + M words
/// (`[count, links × M]` for levels 1…L) in one chunk, addressed by a `UInt32` *block address*
/// `chunk << 24 | block` (at most 256 chunks of at most 2^24 blocks, so 2^32 blocks in all; a node
/// needs 1/(M−1) blocks on average).
///
/// Chunks never move once created, so a reader may follow an address it learnt from a published slot
/// while another thread allocates (allocation runs under the graph's `idLock`; the chunk pointer is
/// written before the slot that uses it is linked, like the rest of the node's data). The chunk
/// directory is a fixed array of 256 pointers. Copies of the struct share the same memory.
struct UpperLinkArena {
    static let maxChunks = 256
    static let maxChunkBlocks = 1 << 24

    let blockWords: Int
    private let chunks: UnsafeMutablePointer<UnsafeMutablePointer<UInt32>?>
    /// [chunk count, blocks used in the last chunk, blocks of the last chunk, blocks allocated in all,
    ///  size of the next chunk asked for by `reserve` (0: none)]
    private let state: UnsafeMutablePointer<Int>

    init(blockWords: Int) {
        self.blockWords = blockWords
        chunks = .allocate(capacity: UpperLinkArena.maxChunks)
        chunks.initialize(repeating: nil, count: UpperLinkArena.maxChunks)
        state = .allocate(capacity: 5)
        state.initialize(repeating: 0, count: 5)
    }

    /// Frees every chunk (the owner calls it once).
    func deallocate() {
        for c in 0..<state[0] { chunks[c]?.deallocate() }
        chunks.deallocate()
        state.deallocate()
    }

    /// Blocks allocated in all chunks (used or not).
    var allocatedBlocks: Int { state[3] }

    /// Bytes held: the chunks and the directory.
    var memoryBytes: Int { state[3] * blockWords * 4 + UpperLinkArena.maxChunks * 8 }

    /// Makes the next `blocks` blocks (in total, over several nodes) come from one chunk: when the last
    /// chunk has fewer left, the next chunk created will have `blocks` (at most 2^24) blocks.
    /// Under the same exclusion as `allocate`.
    func reserve(blocks: Int) {
        guard blocks > 0, state[0] == 0 || state[2] - state[1] < blocks else { return }
        state[4] = min(blocks, UpperLinkArena.maxChunkBlocks)
    }

    /// Takes `count` (1…63) consecutive blocks, zeroes their link counts and returns their address;
    /// nil when all 2^32 blocks are taken. Callers serialise (the graph's `idLock`).
    func allocate(_ count: Int) -> UInt32? {
        if state[0] == 0 || state[1] + count > state[2] {
            guard state[0] < UpperLinkArena.maxChunks else { return nil }
            // The reserved size, else an eighth of what exists (at least 64 blocks): little slack.
            let asked = state[4] > 0 ? state[4] : max(64, state[3] / 8)
            let size = min(max(asked, count), UpperLinkArena.maxChunkBlocks)
            chunks[state[0]] = .allocate(capacity: size * blockWords)
            state[0] += 1
            state[1] = 0
            state[2] = size
            state[3] += size
            state[4] = 0
        }
        let address = UInt32((state[0] - 1) << 24 | state[1])
        state[1] += count
        let first = block(address)
        for b in 0..<count { (first + b * blockWords).initialize(to: 0) }
        return address
    }

    /// The first word of the block at `address`.
    @inline(__always) func block(_ address: UInt32) -> UnsafeMutablePointer<UInt32> {
        chunks[Int(address >> 24)].unsafelyUnwrapped + Int(address & 0xFF_FFFF) * blockWords
    }
}
