/// The fixed limits of launch planning, each with its reason; the settings a tuning table can
/// change are ``LaunchSettings``.
enum LaunchHeuristics {
    /// Work-items per group: 256 is 8 warps or 4 wavefronts, enough to hide memory latency on GPUs,
    /// and the largest size every common driver accepts without a kernel attribute.
    static let preferredWorkGroupSize = 256
    /// Work-groups wanted per compute unit, so every unit stays busy while the slowest group finishes.
    static let groupsPerComputeUnit = 4
    /// The most chunks per feature; bounds the sequential loop of the merge kernels.
    static let maximumChunks = 1024
    /// Work-groups in the second or third dimension of a range, at the most: NVIDIA's OpenCL runs
    /// ranges as CUDA grids, whose y and z dimensions hold at most 65535 blocks. Planes and features
    /// beyond that spill into the third dimension, rows of the interleaved kernels into a stride loop.
    static let maximumGroupsInHigherDimensions = 65535
    /// Element counts below this use 32-bit indices in the kernels (`BN_INDEX_T=uint`): every index,
    /// and every chunk end (at most twice the count), then fits in 32 bits.
    static let narrowIndexLimit = 1 << 31
}
