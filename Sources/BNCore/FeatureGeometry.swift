/// The one view every pass works on: x as `[outer][features][inner]`, each feature reduced over
/// `outer` and `inner`. A checked shape maps onto it as
///
/// | layout, mode               | outer | features | inner |
/// |----------------------------|-------|----------|-------|
/// | `.nchw`, `.spatial`        | N     | C        | S     |
/// | `.nhwc`, `.spatial`        | N·S   | C        | 1     |
/// | `.nc`,   `.spatial`        | N     | C        | 1     |
/// | any,     `.perActivation`  | N     | C·S      | 1     |
///
/// with S the product of the spatial dimensions. Element (o, f, i) lives at `(o·features + f)·inner + i`.
package struct FeatureGeometry: Sendable, Hashable {
    package let shape: TensorShape
    package let mode: NormalizationMode
    package let outer: Int
    package let features: Int
    package let inner: Int
    /// N·C·S, the length of x, y, dy and dx.
    package let elementCount: Int
    /// How many virtual batches (``BatchNormOptions/virtualBatchSize``) the batch splits into,
    /// each of N / groups consecutive samples with statistics of its own: 1 for the whole batch.
    /// A group is the contiguous run of x's elements `[g·elementCount/groups, (g + 1)·elementCount/groups)`,
    /// since N is the outermost dimension of every layout.
    package private(set) var groups = 1

    /// Values that share one feature's statistics (m in the formulas): a group's.
    package var valuesPerFeature: Int { outer * inner / groups }
    /// The length of a per-batch statistic (mean, invStd, r, d): one value per group and feature.
    package var statisticsCount: Int { groups * features }
    /// Elements of one group.
    package var groupElements: Int { elementCount / groups }

    /// Checks `shape` and maps it onto the view.
    /// - Throws: ``BatchNormError/invalidShape(_:reason:)`` for a dimension below 1, an element
    ///   count that overflows `Int`, or spatial dimensions on an `.nc` shape.
    package init(shape: TensorShape, mode: NormalizationMode) throws {
        for (name, value) in zip(["N", "C"] + shape.spatial.indices.map { "spatial[\($0)]" }, shape.dimensions)
        where value < 1 {
            throw BatchNormError.invalidShape(shape, reason: "dimension \(name) is \(value); every dimension must be at least 1")
        }
        if shape.layout == .nc && !shape.spatial.isEmpty {
            throw BatchNormError.invalidShape(shape, reason: "layout NC takes no spatial dimensions; use .nchw or .nhwc")
        }
        var count = 1
        for value in shape.dimensions {
            let (product, overflow) = count.multipliedReportingOverflow(by: value)
            if overflow {
                throw BatchNormError.invalidShape(shape, reason: "the element count overflows Int")
            }
            count = product
        }
        let spatialSize = count / (shape.n * shape.c)
        self.shape = shape
        self.mode = mode
        self.elementCount = count
        switch (mode, shape.layout) {
        case (.perActivation, _):
            (outer, features, inner) = (shape.n, shape.c * spatialSize, 1)
        case (.spatial, .nchw):
            (outer, features, inner) = (shape.n, shape.c, spatialSize)
        case (.spatial, .nhwc):
            (outer, features, inner) = (shape.n * spatialSize, shape.c, 1)
        case (.spatial, .nc):
            (outer, features, inner) = (shape.n, shape.c, 1)
        }
    }
}

extension FeatureGeometry {
    /// The geometry split into virtual batches of `size` samples.
    /// - Parameter size: V, the samples of a group, or nil for the whole batch.
    /// - Returns: The geometry with N / V groups.
    /// - Throws: ``BatchNormError/invalidOption(name:value:reason:)`` unless V is at least 1 and divides N.
    package func splitting(intoVirtualBatchesOf size: Int?) throws -> FeatureGeometry {
        guard let size else { return self }
        let n = shape.n
        guard size >= 1, n % size == 0 else {
            let divisors = (1...n).filter { n % $0 == 0 }.suffix(6).map(String.init).joined(separator: ", ")
            throw BatchNormError.invalidOption(name: "virtualBatchSize", value: "\(size)", reason: "virtual batches split the batch of N = \(n) samples into groups of V consecutive samples, so V must divide N; give a divisor of \(n) (\(divisors)) or nil for the whole batch")
        }
        var split = self
        split.groups = n / size
        return split
    }

    /// The geometry of one virtual batch: the shape with N / groups samples, as a whole batch.
    package func group() throws -> FeatureGeometry {
        var shape = self.shape
        shape.n /= groups
        return try FeatureGeometry(shape: shape, mode: mode)
    }

    /// Calls `body(index, feature, statistic)` for every element, in memory order: `statistic`
    /// indexes the per-batch statistics, group·features + feature.
    package func forEachElement(_ body: (_ index: Int, _ feature: Int, _ statistic: Int) -> Void) {
        let perGroup = groupElements
        forEachElement { index, feature in body(index, feature, index / perGroup * features + feature) }
    }

    /// Calls `body(index, feature)` for every element, in memory order.
    package func forEachElement(_ body: (_ index: Int, _ feature: Int) -> Void) {
        var index = 0
        for _ in 0..<outer {
            for feature in 0..<features {
                for _ in 0..<inner {
                    body(index, feature)
                    index += 1
                }
            }
        }
    }
}
