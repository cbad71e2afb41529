import BNCore

/// A kernel's global and local range, 1-D or 2-D.
struct LaunchRange: Hashable {
    var global: [Int]
    var local: [Int]

    /// A range; a third dimension of one is dropped, since PoCL runs 2-D ranges faster than 3-D ones
    /// of the same size, and kernels read `get_global_id(2)` as 0 either way.
    init(global: [Int], local: [Int]) {
        if global.count == 3, global[2] == 1, local[2] == 1 {
            self.global = Array(global.prefix(2))
            self.local = Array(local.prefix(2))
        } else {
            self.global = global
            self.local = local
        }
    }

    /// Work-items per group.
    var groupSize: Int { local.reduce(1, *) }
}

/// The limits a plan needs from the device and the built kernels.
struct LaunchLimits: Hashable {
    /// Compute units of the device.
    var computeUnits: Int
    /// The smallest `CL_KERNEL_WORK_GROUP_SIZE` of the reduction kernels.
    var reductionWorkGroupSize: Int
    /// The smallest `CL_KERNEL_WORK_GROUP_SIZE` of the elementwise kernels.
    var elementwiseWorkGroupSize: Int
    /// `CL_KERNEL_PREFERRED_WORK_GROUP_SIZE_MULTIPLE` of the reduction kernels (the SIMD width).
    var preferredMultiple: Int
}

/// How one call splits its work over a device: chosen on the host from the shape and the device,
/// never by a second copy of a kernel.
struct LaunchPlan: Hashable {
    /// Which family of kernels walks the values.
    enum Traversal: String, Hashable {
        /// inner > 1: a feature's values are runs of contiguous floats (NCHW, spatial mode).
        case planar
        /// inner == 1: a row's features are contiguous (NC, NHWC, per-activation).
        case interleaved
    }

    let geometry: FeatureGeometry
    let traversal: Traversal
    /// Work-groups per feature in the reductions.
    let chunks: Int
    /// Values (planar) or rows (interleaved) per chunk.
    let chunkLength: Int
    /// The reduction kernels' range (3-D for planar, 2-D for interleaved).
    let reduction: LaunchRange
    /// The elementwise kernels' range (normalization, dx).
    let elementwise: LaunchRange
    /// The per-feature kernels' range (merges, inverse std).
    let perFeature: LaunchRange
    /// The build variant of the programs.
    let variant: KernelVariant

    /// Floats of partial sums per statistic: `chunks` for every feature.
    var partialCount: Int { chunks * geometry.features }

    /// Names the choice, for tables and logs: `planar 256×1 chunks 4, 32-bit`.
    var name: String {
        "\(traversal.rawValue) \(reduction.local.prefix(2).map(String.init).joined(separator: "×")) chunks \(chunks), \(variant.name)"
    }

    /// The build variant a shape needs; it decides which programs the limits come from.
    static func variant(for geometry: FeatureGeometry, forcesWideIndices: Bool) -> KernelVariant {
        let isNarrow = !forcesWideIndices && geometry.elementCount < LaunchHeuristics.narrowIndexLimit
        return KernelVariant(indexWidth: isNarrow ? .narrow : .wide, checksRange: needsRangeCheck(geometry))
    }

    /// Whether the planar ranges of `geometry` cover more planes or features than there are, so
    /// that its kernels must be built with the range check: exactly when ``split(_:factors:)``
    /// cannot split a count exactly.
    static func needsRangeCheck(_ geometry: FeatureGeometry) -> Bool {
        geometry.inner > 1 && (exactSplit(geometry.features) == nil
                               || exactSplit(geometry.outer * geometry.features, factors: geometry.features) == nil)
    }

    init(geometry: FeatureGeometry, limits: LaunchLimits, variant: KernelVariant) {
        self.geometry = geometry
        self.variant = variant
        let reductionSize = Self.powerOfTwo(atMost: min(LaunchHeuristics.preferredWorkGroupSize, limits.reductionWorkGroupSize))
        let elementwiseSize = Self.powerOfTwo(atMost: min(LaunchHeuristics.preferredWorkGroupSize, limits.elementwiseWorkGroupSize))
        let targetGroups = limits.computeUnits * LaunchHeuristics.groupsPerComputeUnit
        let features = geometry.features

        // Split each feature's values (planar) or rows (interleaved) into chunks of whole steps.
        func chunking(values: Int, step: Int, groupsPerChunk: Int) -> (chunks: Int, length: Int) {
            let wanted = Self.divideRoundingUp(targetGroups, groupsPerChunk)
            let most = max(1, values / (step * LaunchHeuristics.minimumValuesPerWorkItem))
            let chunks = max(1, min(wanted, most, LaunchHeuristics.maximumChunks))
            let length = Self.roundUp(Self.divideRoundingUp(values, chunks), to: step)
            return (Self.divideRoundingUp(values, length), length)
        }

        if geometry.inner > 1 {
            traversal = .planar
            (chunks, chunkLength) = chunking(values: geometry.valuesPerFeature, step: reductionSize, groupsPerChunk: features)
            reduction = LaunchRange(global: [chunks * reductionSize] + Self.split(features), local: [reductionSize, 1, 1])
            let columns = min(elementwiseSize, Self.powerOfTwo(atLeast: geometry.inner))
            let steps = max(1, geometry.inner / (columns * LaunchHeuristics.valuesPerElementwiseItem))
            elementwise = LaunchRange(global: [columns * steps] + Self.split(geometry.outer * features, factors: features),
                                      local: [columns, 1, 1])
        } else {
            traversal = .interleaved
            let wideColumns = Self.powerOfTwo(atMost: max(LaunchHeuristics.minimumInterleavedColumns, limits.preferredMultiple))
            let columns = min(Self.powerOfTwo(atLeast: features), wideColumns, reductionSize)
            let rows = reductionSize / columns
            let featureGroups = Self.divideRoundingUp(features, columns)
            (chunks, chunkLength) = chunking(values: geometry.outer, step: rows, groupsPerChunk: featureGroups)
            reduction = LaunchRange(global: [featureGroups * columns, chunks * rows], local: [columns, rows])
            let elementColumns = min(columns, elementwiseSize)
            let elementRows = elementwiseSize / elementColumns
            let rowSteps = max(1, min(geometry.outer / (elementRows * LaunchHeuristics.valuesPerElementwiseItem),
                                      LaunchHeuristics.maximumGroupsInHigherDimensions))
            elementwise = LaunchRange(global: [Self.roundUp(features, to: elementColumns), rowSteps * elementRows],
                                      local: [elementColumns, elementRows])
        }
        let featureGroupSize = min(elementwiseSize, Self.powerOfTwo(atLeast: features))
        perFeature = LaunchRange(global: [Self.roundUp(features, to: featureGroupSize)], local: [featureGroupSize])
    }

    /// `count` as rows × layers with both at most `maximumGroupsInHigherDimensions`, exactly: the
    /// count itself, or `factors` × `count / factors`. Nil when neither fits.
    static func exactSplit(_ count: Int, factors: Int? = nil) -> [Int]? {
        let limit = LaunchHeuristics.maximumGroupsInHigherDimensions
        if count <= limit { return [count, 1] }
        if let factors, factors <= limit, count / factors <= limit { return [factors, count / factors] }
        return nil
    }

    /// Spreads `count` single work-item groups over the second and third dimensions, each at most
    /// `maximumGroupsInHigherDimensions`: exactly where it can, else covering at least `count`, which
    /// only the range-checked variant (``needsRangeCheck(_:)``) is built for.
    static func split(_ count: Int, factors: Int? = nil) -> [Int] {
        if let split = exactSplit(count, factors: factors) { return split }
        let rows = min(count, LaunchHeuristics.maximumGroupsInHigherDimensions)
        return [rows, divideRoundingUp(count, rows)]
    }

    static func divideRoundingUp(_ value: Int, _ divisor: Int) -> Int { (value + divisor - 1) / divisor }

    static func roundUp(_ value: Int, to multiple: Int) -> Int { divideRoundingUp(value, multiple) * multiple }

    /// The largest power of two not above `value` (1 for values below 2).
    static func powerOfTwo(atMost value: Int) -> Int {
        value < 2 ? 1 : 1 << (Int.bitWidth - 1 - value.leadingZeroBitCount)
    }

    /// The smallest power of two not below `value`.
    static func powerOfTwo(atLeast value: Int) -> Int {
        value <= 1 ? 1 : 1 << (Int.bitWidth - (value - 1).leadingZeroBitCount)
    }
}
