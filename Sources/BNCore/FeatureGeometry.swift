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

    /// Values that share one feature's statistics (m in the formulas).
    package var valuesPerFeature: Int { outer * inner }

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
