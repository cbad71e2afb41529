import BNCore

/// How the kernels split one class of shapes over a device: the knobs a tuning table sets and
/// `bn-gpu-bench tune` searches. Device and kernel queries still clamp each value when a launch is
/// planned, so a table made on one driver cannot ask another for more than it runs.
package struct LaunchSettings: Hashable, Sendable, CustomStringConvertible {
    /// Floats per vector load (1, 2, 4, 8 or 16; `BN_VECTOR_WIDTH`). Interleaved kernels use the
    /// largest power of two not above it that divides the feature count, so rows never split a vector.
    package var vectorWidth: Int
    /// Work-items of a reduction work-group: along a plane (planar), or feature vectors side by side
    /// (interleaved). A power of two.
    package var reductionGroupSize: Int
    /// Values one reduction work-group sums, about: a feature is split into chunks of this many values,
    /// each chunk's partial statistics are merged in chunk order afterwards.
    package var valuesPerChunk: Int
    /// Work-items side by side along a plane's vectors (planar) or a row's feature vectors
    /// (interleaved) in the elementwise kernels. A power of two.
    package var elementwiseColumns: Int
    /// Values one elementwise work-item handles, about.
    package var valuesPerElementwiseItem: Int
    /// Planar features of at most this many bytes (per tensor the pass reads) are reduced and then
    /// normalized (or differentiated) by one work-group, whose second and third reads of the feature
    /// come from cache rather than memory; an interleaved tensor of at most this many bytes likewise,
    /// by one work-item per span of feature vectors over every row; 0 never does this.
    package var residentFeatureBytes: Int
    /// Feature vectors one work-item of an interleaved reduction takes side by side in each row
    /// (1, 2, 4, 8 or 16; `BN_SPAN`), as a power of two that divides the row's vectors: more make each
    /// row's read one contiguous run, which a CPU's prefetchers stream, where one vector per row is a
    /// strided walk; GPUs want 1, so that neighbouring work-items read neighbouring vectors.
    package var interleavedSpan: Int

    /// Settings with every value given; ``textProblem`` says whether a tuning table would accept them.
    /// - Parameters:
    ///   - vectorWidth: ``vectorWidth``.
    ///   - reductionGroupSize: ``reductionGroupSize``.
    ///   - valuesPerChunk: ``valuesPerChunk``.
    ///   - elementwiseColumns: ``elementwiseColumns``.
    ///   - valuesPerElementwiseItem: ``valuesPerElementwiseItem``.
    ///   - residentFeatureBytes: ``residentFeatureBytes``.
    ///   - interleavedSpan: ``interleavedSpan``; 1, one vector per row, by default.
    package init(vectorWidth: Int, reductionGroupSize: Int, valuesPerChunk: Int, elementwiseColumns: Int,
                valuesPerElementwiseItem: Int, residentFeatureBytes: Int, interleavedSpan: Int = 1) {
        self.vectorWidth = vectorWidth
        self.reductionGroupSize = reductionGroupSize
        self.valuesPerChunk = valuesPerChunk
        self.elementwiseColumns = elementwiseColumns
        self.valuesPerElementwiseItem = valuesPerElementwiseItem
        self.residentFeatureBytes = residentFeatureBytes
        self.interleavedSpan = interleavedSpan
    }

    /// The fields as a tuning table writes them:
    /// `vector=16 group=1 chunk=16384 columns=1 items=16384 resident=1048576 span=4`.
    package var description: String {
        "vector=\(vectorWidth) group=\(reductionGroupSize) chunk=\(valuesPerChunk) columns=\(elementwiseColumns) "
            + "items=\(valuesPerElementwiseItem) resident=\(residentFeatureBytes) span=\(interleavedSpan)"
    }
}

/// The classes of shapes a tuning table has a row for: which traversal the kernels take, and how many
/// values each feature reduces over, in four size bands.
package struct ShapeClass: Hashable, Sendable, CustomStringConvertible, CaseIterable {
    /// The traversal: `planar` (inner > 1: NCHW in spatial mode) or `interleaved` (NC, NHWC, per-activation).
    package enum Traversal: String, Hashable, Sendable, CaseIterable {
        case planar
        case interleaved
    }

    /// Values per feature: below 2¹², below 2¹⁶, below 2²⁰, and the rest.
    package enum Size: String, Hashable, Sendable, CaseIterable {
        case small
        case medium
        case large
        case huge

        /// The band of a count of values per feature.
        /// - Parameter valuesPerFeature: The values each feature's statistics run over.
        package init(valuesPerFeature: Int) {
            switch valuesPerFeature {
            case ..<(1 << 12): self = .small
            case ..<(1 << 16): self = .medium
            case ..<(1 << 20): self = .large
            default: self = .huge
            }
        }
    }

    /// The traversal.
    package var traversal: Traversal
    /// The size band.
    package var size: Size

    /// A class from its two parts.
    /// - Parameters:
    ///   - traversal: Planar or interleaved.
    ///   - size: The band of values per feature.
    package init(traversal: Traversal, size: Size) {
        self.traversal = traversal
        self.size = size
    }

    /// The class of a call's view of x.
    package init(_ geometry: FeatureGeometry) {
        self.init(traversal: geometry.inner > 1 ? .planar : .interleaved,
                  size: Size(valuesPerFeature: geometry.valuesPerFeature))
    }

    /// Every class: planar, then interleaved, each from small to huge, the order tables write rows in.
    package static let allCases: [ShapeClass] = Traversal.allCases.flatMap { traversal in
        Size.allCases.map { ShapeClass(traversal: traversal, size: $0) }
    }

    /// Reads as `planar large`, as tables write it.
    package var description: String { "\(traversal.rawValue) \(size.rawValue)" }
}
