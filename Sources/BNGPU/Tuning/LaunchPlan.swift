import BNCore

/// A kernel's global and local range, 1-D, 2-D or 3-D.
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

/// The limits a plan needs from the device.
struct LaunchLimits: Hashable {
    /// Compute units of the device.
    var computeUnits: Int
    /// The largest work-group the plan may ask for: the device's, and at most
    /// `LaunchHeuristics.preferredWorkGroupSize`, which every kernel of the library runs at.
    var maxWorkGroupSize: Int

    /// Work-groups wanted in a range, so that every compute unit stays busy.
    var targetGroups: Int { max(1, computeUnits * LaunchHeuristics.groupsPerComputeUnit) }

    /// The largest work-group a plan asks for: a power of two within the limit.
    var groupLimit: Int {
        LaunchPlan.powerOfTwo(atMost: max(1, min(maxWorkGroupSize, LaunchHeuristics.preferredWorkGroupSize)))
    }
}

/// How one call splits its work over a device: chosen on the host from the shape, the device and
/// its settings (``LaunchSettings``), never by a second copy of a kernel.
struct LaunchPlan: Hashable {
    /// Which family of kernels walks the values.
    enum Traversal: String, Hashable {
        /// inner > 1: a feature's values are planes of contiguous floats (NCHW, spatial mode).
        case planar
        /// inner == 1: a row's features are contiguous (NC, NHWC, per-activation).
        case interleaved
    }

    let geometry: FeatureGeometry
    let traversal: Traversal
    /// The build variant of the programs.
    let variant: KernelVariant
    /// Whether training and backward passes run as one kernel, reading each value from memory once:
    /// one work-group per planar feature (`bn_forward_training_resident`, `bn_backward_resident`), or,
    /// for a small interleaved tensor, one work-item per span of feature vectors over every row
    /// (`…_resident_interleaved`).
    let isResident: Bool
    /// Chunks per feature in the reductions.
    let chunks: Int
    /// Planes (planar) or rows (interleaved) per chunk.
    let chunkLength: Int
    /// The reduction kernels' range; for a resident plan, the resident kernels' range.
    let reduction: LaunchRange
    /// The elementwise kernels' range (normalization, dx).
    let elementwise: LaunchRange
    /// Planes (planar) or rows (interleaved) per elementwise work-item.
    let blockLength: Int
    /// The per-feature kernels' range (inverse std): one work-item per feature.
    let perFeature: LaunchRange
    /// The merge kernels' range (`bn_stats_merge`, `bn_backward_merge` and their split-phase twins):
    /// lanes side by side per feature along dimension 0, rows of features along dimension 1 (`merge(…)`).
    let merge: LaunchRange

    /// Values per chunk: the merge kernel's `chunk_values`.
    var chunkValues: Int { traversal == .planar ? chunkLength * geometry.inner : chunkLength }

    /// Whether an inference pass's normalization kernel works out 1/√(variance + ε) itself, so that
    /// the pass is one kernel. Interleaved kernels do it once per work-item when each takes a single
    /// feature vector (a GPU's row of work-items spans the features), and not where a work-item walks
    /// several, which would do it for every value (a CPU's one work-item per group). Planar ones do it
    /// once per plane: free where groups are many work-items (a GPU, bound by memory), and on a CPU's
    /// one work-item only for planes of at least `inlineInverseStdPlane` values (measured on PoCL:
    /// 1.3× slower inference for 7×7 planes, whose square root and division per 49 values cost more
    /// than the separate kernel's launch).
    var computesInverseStdInline: Bool {
        switch traversal {
        case .planar: elementwise.groupSize > 1 || geometry.inner >= Self.inlineInverseStdPlane
        case .interleaved: elementwise.global[0] >= geometry.features / variant.vectorWidth
        }
    }

    /// Values per plane from which a planar inference kernel of one-work-item groups computes the
    /// inverse standard deviation itself.
    static let inlineInverseStdPlane = 1024

    /// Floats of partial results per statistic: one for every chunk of every feature.
    var partialCount: Int { chunks * geometry.features }

    /// Names the choice, for tables and logs: `planar ×16 group 1, 32 chunks, 32-bit` or
    /// `planar ×16 group 1, resident, 32-bit`, `interleaved ×4 group 64 × 4 rows, 529 chunks, 32-bit`
    /// where lanes share a group (`× 16 planes` for planar ones), with `, f16` or `, bf16` after for 16-bit tensors.
    var name: String {
        let split = isResident ? "resident" : "\(chunks) chunk\(chunks == 1 ? "" : "s")"
        let span = variant.span > 1 ? " span \(variant.span)" : ""
        let storage = variant.storage == .float32 ? "" : ", \(variant.storage.shortName)"
        let lanes = reduction.local[1] > 1 ? " × \(reduction.local[1]) \(traversal == .planar ? "planes" : "rows")" : ""
        return "\(traversal.rawValue) ×\(variant.vectorWidth)\(span) group \(reduction.local[0])\(lanes), \(split), \(variant.indexName)\(storage)"
    }

    /// The plan of a call on `geometry`'s shape whose tensors are stored as `storage`: the same
    /// choice as for floats, but for the resident test, which counts the feature's bytes as stored.
    init(geometry: FeatureGeometry, settings: LaunchSettings, limits: LaunchLimits, forcesWideIndices: Bool,
         storage: ElementType = .float32) {
        self.geometry = geometry
        let features = geometry.features, inner = geometry.inner, outer = geometry.outer
        let targetGroups = limits.targetGroups, groupLimit = limits.groupLimit
        let isNarrow = !forcesWideIndices && geometry.elementCount < LaunchHeuristics.narrowIndexLimit
        let width = Self.powerOfTwo(atMost: min(max(settings.vectorWidth, 1), 16))

        if inner > 1 {
            traversal = .planar
            variant = KernelVariant(indexWidth: isNarrow ? .narrow : .wide, vectorWidth: width, storage: storage)
            let vectorsPerPlane = max(1, inner / width)
            let groupSize = Self.workItems(settings.reductionGroupSize, limit: groupLimit, needed: vectorsPerPlane)
            // Resident when the feature fits the budget and every compute unit gets a feature: a GPU
            // holds several groups per unit at once, so it need not have `targetGroups` of them.
            isResident = features >= limits.computeUnits
                && geometry.valuesPerFeature * storage.byteCount <= settings.residentFeatureBytes
            // Chunks of whole planes.
            chunkLength = isResident ? outer : Self.chunkLength(
                units: outer, preferred: settings.valuesPerChunk / inner, groupsPerChunk: features, targetGroups: targetGroups)
            chunks = Self.divideRoundingUp(outer, chunkLength)
            // Plane lanes fill the group where planes are short (a GPU's 7×7 planes are 12 vectors).
            let planeLanes = Self.lanes(setting: settings.reductionGroupSize, limit: groupLimit, beside: groupSize,
                                        units: chunkLength)
            let featureGroups = Self.split(features)
            reduction = LaunchRange(global: [chunks * groupSize, featureGroups[0] * planeLanes, featureGroups[1]],
                                    local: [groupSize, planeLanes, 1])
            (elementwise, blockLength) = Self.elementwise(
                units: outer * features, valuesPerUnit: inner, vectorsPerUnit: vectorsPerPlane, settings: settings, limits: limits)
        } else {
            traversal = .interleaved
            let featureWidth = Self.largestPowerOfTwo(dividing: features, atMost: width)
            let vectors = features / featureWidth
            let settingSpan = Self.largestPowerOfTwo(
                dividing: vectors, atMost: Self.powerOfTwo(atMost: min(max(settings.interleavedSpan, 1), 16)))
            // Resident when the whole tensor fits the budget and every compute unit gets a group (the
            // span narrows, down to one vector, until it does); else the chunked plan keeps the span.
            let residentSpan = geometry.elementCount * storage.byteCount <= settings.residentFeatureBytes
                ? Self.residentSpan(vectors: vectors, atMost: settingSpan, settings: settings, limits: limits) : nil
            isResident = residentSpan != nil
            let span = residentSpan ?? settingSpan
            variant = KernelVariant(indexWidth: isNarrow ? .narrow : .wide, vectorWidth: featureWidth, span: span,
                                    storage: storage)
            let spans = vectors / span
            let groupSize = Self.workItems(settings.reductionGroupSize, limit: groupLimit, needed: spans)
            let featureGroups = Self.divideRoundingUp(spans, groupSize)
            // Chunks of whole rows; a resident plan's one chunk holds them all.
            chunkLength = isResident ? outer : Self.chunkLength(
                units: outer, preferred: settings.valuesPerChunk / (groupSize * featureWidth * span),
                groupsPerChunk: featureGroups, targetGroups: targetGroups)
            chunks = Self.divideRoundingUp(outer, chunkLength)
            // Row lanes fill the group where the features leave room (a GPU's 256 work-items over 64
            // feature vectors take 4 rows at a time).
            let rowLanes = Self.lanes(setting: settings.reductionGroupSize, limit: groupLimit, beside: groupSize,
                                      units: chunkLength)
            reduction = LaunchRange(global: [featureGroups * groupSize, chunks * rowLanes], local: [groupSize, rowLanes])
            (elementwise, blockLength) = Self.elementwise(
                units: outer, valuesPerUnit: features, vectorsPerUnit: vectors, settings: settings, limits: limits)
        }
        let featureGroupSize = min(groupLimit, Self.powerOfTwo(atLeast: features))
        perFeature = LaunchRange(global: [Self.roundUp(features, to: featureGroupSize)], local: [featureGroupSize])
        merge = Self.merge(features: features, chunks: chunks, settings: settings, groupLimit: groupLimit)
    }

    /// The span of an interleaved resident plan: the widest power of two up to `atMost` whose
    /// work-groups (of the setting's work-items over the row's spans) are at least the compute units;
    /// nil where even one vector a work-item leaves a unit idle.
    ///
    /// Only a whole tensor within `residentFeatureBytes` is resident: each work-item walks its
    /// vectors down every row, so the work-items running at once read a few of each row's cache
    /// lines and the rest later. Measured on PoCL (2 cores, AMD EPYC), that made 4 MiB to 64 MiB NC
    /// and NHWC tensors 1.4 to 5 times slower than the chunks, whose work-items share their rows, and
    /// tensors up to 512 KiB 1.2 to 1.7 times faster (one launch instead of three).
    static func residentSpan(vectors: Int, atMost widest: Int, settings: LaunchSettings, limits: LaunchLimits) -> Int? {
        var span = widest
        while span >= 1 {
            let spans = vectors / span
            let groups = divideRoundingUp(spans, workItems(settings.reductionGroupSize, limit: limits.groupLimit, needed: spans))
            if groups >= limits.computeUnits { return span }
            span /= 2
        }
        return nil
    }

    /// The merge kernels' range: lanes that read a feature's chunks side by side, as many as the
    /// reduction's work-items (`reductionGroupSize`) and no more than the chunks, so that a GPU's merge of
    /// hundreds of chunks is not one work-item's loop of dependent loads (a CPU's one work-item per group
    /// keeps a single lane); rows of features fill the group up to the limit. Groups go over dimensions
    /// 1 and 2 as `split` spreads them; lanes shrink if the features would need more than both hold.
    static func merge(features: Int, chunks: Int, settings: LaunchSettings, groupLimit: Int) -> LaunchRange {
        let mostGroups = maximumGroupsInHigherDimensionsSquared
        let rowsNeeded = powerOfTwo(atLeast: divideRoundingUp(features, mostGroups))
        let lanes = min(workItems(settings.reductionGroupSize, limit: groupLimit, needed: chunks),
                        max(1, groupLimit / rowsNeeded))
        let rows = max(1, min(groupLimit / lanes, powerOfTwo(atLeast: features)))
        let groups = split(divideRoundingUp(features, rows))
        return LaunchRange(global: [lanes, groups[0] * rows, groups[1]], local: [lanes, rows, 1])
    }

    /// The most work-groups dimensions 1 and 2 hold together.
    static let maximumGroupsInHigherDimensionsSquared =
        LaunchHeuristics.maximumGroupsInHigherDimensions * LaunchHeuristics.maximumGroupsInHigherDimensions

    /// Lanes (work-items along a group's dimension 1, each taking every lanes-th plane or row) that fill
    /// a group of `setting` work-items, as a power of two within the limit, beside the `width` that
    /// dimension 0 holds; never more than `units`, the planes or rows there are to share. 1 where
    /// dimension 0 fills the group, as it always does on CPUs, whose groups are one work-item.
    static func lanes(setting: Int, limit: Int, beside width: Int, units: Int) -> Int {
        min(max(1, min(powerOfTwo(atMost: max(1, setting)), limit) / width), powerOfTwo(atMost: max(1, units)))
    }

    /// Work-items side by side: the setting, as a power of two within the limit and no more than
    /// `needed` asks for.
    static func workItems(_ setting: Int, limit: Int, needed: Int) -> Int {
        min(powerOfTwo(atMost: max(1, setting)), limit, powerOfTwo(atLeast: needed))
    }

    /// Units (planes or rows) per reduction chunk: about `preferred`, fewer when the chunks of each
    /// feature times `groupsPerChunk` work-groups would not keep the device busy, and never so few
    /// that the merge walks more than `maximumChunks`.
    static func chunkLength(units: Int, preferred: Int, groupsPerChunk: Int, targetGroups: Int) -> Int {
        let wantedChunks = divideRoundingUp(targetGroups, groupsPerChunk)
        let length = min(max(1, preferred), units, max(1, units / wantedChunks))
        return max(length, divideRoundingUp(units, LaunchHeuristics.maximumChunks))
    }

    /// The range of an elementwise kernel over `units` planes or rows of `valuesPerUnit` floats
    /// (`vectorsPerUnit` vectors), and the units per work-group: `elementwiseColumns` work-items side
    /// by side along a unit, as many as its vectors need, and lanes (dimension 1) taking every
    /// lanes-th unit where the columns leave the group room, each work-item handling about
    /// `valuesPerElementwiseItem` values, but at least `limits.targetGroups` groups when there are
    /// that many units.
    static func elementwise(units: Int, valuesPerUnit: Int, vectorsPerUnit: Int, settings: LaunchSettings,
                            limits: LaunchLimits) -> (range: LaunchRange, blockLength: Int) {
        let columns = workItems(settings.elementwiseColumns, limit: limits.groupLimit, needed: vectorsPerUnit)
        let room = lanes(setting: settings.elementwiseColumns, limit: limits.groupLimit, beside: columns, units: .max)
        let block = min(max(1, settings.valuesPerElementwiseItem * columns * room / valuesPerUnit),
                        max(1, units / limits.targetGroups))
        let unitLanes = min(room, powerOfTwo(atMost: block))
        let groups = split(divideRoundingUp(units, block))
        let range = LaunchRange(global: [columns, groups[0] * unitLanes, groups[1]], local: [columns, unitLanes, 1])
        return (range, block)
    }

    /// Spreads `count` single work-item groups over the second and third dimensions, each at most
    /// `maximumGroupsInHigherDimensions`, covering at least `count`; kernels skip the excess.
    static func split(_ count: Int) -> [Int] {
        let rows = min(max(count, 1), LaunchHeuristics.maximumGroupsInHigherDimensions)
        return [rows, divideRoundingUp(max(count, 1), rows)]
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

    /// The largest power of two that divides `value` and is at most `limit` (a power of two).
    static func largestPowerOfTwo(dividing value: Int, atMost limit: Int) -> Int {
        min(limit, value & -value)
    }
}
