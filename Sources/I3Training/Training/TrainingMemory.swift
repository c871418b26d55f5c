#if os(Linux)
/// glibc's `mallopt(3)` (declared in <malloc.h>, which the Glibc module does not export).
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif

/// Keeps the training step's freed buffers in the process for the next step.
///
/// A step allocates and frees the same few hundred buffers (activations, caches, gradients of the
/// inputs), most of them above glibc's default 128 KiB `mmap` threshold: each was a fresh mapping that
/// the kernel zeroed page by page, and `clear_page` took ~15 % of a 2-core step's samples. Raising the
/// threshold to 32 MiB (glibc's maximum) and the trim threshold to 1 GiB lets `free` keep that memory
/// for reuse: the same benchmark step went from 2.34 to 1.77 s (README, "Training"). Process-wide and
/// not undone: the memory stays with the process (its peak is what the step needs anyway).
public enum TrainingMemory {
    /// Applies the allocator settings above (Linux/glibc only; elsewhere nothing happens).
    public static func keepFreedBuffers() {
        #if os(Linux)
        _ = glibcMallopt(-3, 32 << 20)  // M_MMAP_THRESHOLD
        _ = glibcMallopt(-1, 1 << 30)  // M_TRIM_THRESHOLD
        #endif
    }
}
