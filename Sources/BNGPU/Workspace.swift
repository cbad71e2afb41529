/// Scratch memory that passes need between their kernels, kept by the backend and grown on demand,
/// so that a training loop allocates nothing after its first step. Used under the backend's lock;
/// the in-order queue finishes one pass's use before the next pass's kernels run, and a released
/// buffer lives on until the commands that use it have finished.
struct Workspace {
    let context: Context
    private var partialSums: OpenCLBuffer?
    private var featureValues: [FeatureSlot: OpenCLBuffer] = [:]

    /// What a per-feature scratch array holds; a pass that needs two uses two slots.
    enum FeatureSlot: Hashable, CaseIterable {
        /// The mean's low part (training forward) or the mean's residual (backward).
        case meanLow
        /// 1/√(running variance + ε), for the passes that use running statistics.
        case inverseStd
        /// What rounding 1/√(σ² + ε) to a float lost, for the normalization.
        case inverseStdLow
        /// Three values per feature that a split-phase pass reads back: moments or gradient sums.
        case featureTotals
        /// Merged statistics' mean and variance per feature (per group and feature for virtual
        /// batches), for the running statistics' blend.
        case batchMean, batchVariance
        /// A renormalizing training pass's normalization constants: r·invStd split in two parts,
        /// and γ·d + β (`renorm_target`, `bn_moments.cl`).
        case renormScale, renormScaleLow, renormShift
        /// γ·r, the scale a renormalized backward pass's dx takes.
        case renormGain
        /// Virtual batches' dγ and dβ, one per group and feature, before `bn_group_gradients` adds them.
        case groupDGamma, groupDBeta
    }

    init(context: Context) {
        self.context = context
    }

    /// At least `count` floats for the reductions' partial sums.
    mutating func partials(count: Int) throws -> OpenCLBuffer {
        try Self.buffer(&partialSums, count: count, context: context)
    }

    /// At least `count` floats of one value per feature, in `slot`.
    mutating func perFeature(count: Int, slot: FeatureSlot) throws -> OpenCLBuffer {
        try Self.buffer(&featureValues[slot], count: count, context: context)
    }

    private static func buffer(_ slot: inout OpenCLBuffer?, count: Int, context: Context) throws -> OpenCLBuffer {
        if let buffer = slot, buffer.count >= count { return buffer }
        let buffer = try OpenCLBuffer(context: context, count: count)
        slot = buffer
        return buffer
    }
}
