import BNCore

/// The tests' own account of where element (n, c, s) lives and which feature it belongs to,
/// written from the layouts' definitions, independently of the library's geometry.
public struct TensorIndexing: Sendable {
    public let shape: TensorShape
    public let mode: NormalizationMode
    /// The product of the spatial dimensions.
    public let spatialSize: Int

    public init(shape: TensorShape, mode: NormalizationMode) {
        self.shape = shape
        self.mode = mode
        self.spatialSize = shape.spatial.reduce(1, *)
    }

    public var elementCount: Int { shape.n * shape.c * spatialSize }

    /// Features: C in spatial mode, C·S in per-activation mode.
    public var featureCount: Int { mode == .spatial ? shape.c : shape.c * spatialSize }

    /// Values per feature (m).
    public var valuesPerFeature: Int { elementCount / featureCount }

    /// The flat index of (n, c, s) with s the flattened spatial position.
    public func index(n: Int, c: Int, s: Int) -> Int {
        switch shape.layout {
        case .nchw, .nc: (n * shape.c + c) * spatialSize + s
        case .nhwc: (n * spatialSize + s) * shape.c + c
        }
    }

    /// The feature of (n, c, s): c, or in per-activation mode the position within one sample.
    public func feature(c: Int, s: Int) -> Int {
        switch (mode, shape.layout) {
        case (.spatial, _): c
        case (.perActivation, .nchw), (.perActivation, .nc): c * spatialSize + s
        case (.perActivation, .nhwc): s * shape.c + c
        }
    }

    /// Calls `body(index, feature)` for every element, in logical (n, c, s) order.
    public func forEach(_ body: (_ index: Int, _ feature: Int) -> Void) {
        for n in 0..<shape.n {
            for c in 0..<shape.c {
                for s in 0..<spatialSize {
                    body(index(n: n, c: c, s: s), feature(c: c, s: s))
                }
            }
        }
    }

    /// Where a flat index is, for failure messages: `n=1 c=2 s=[3, 4]`.
    public func describe(index: Int) -> String {
        let (n, c, s): (Int, Int, Int)
        switch shape.layout {
        case .nchw, .nc:
            (n, c, s) = (index / (shape.c * spatialSize), index / spatialSize % shape.c, index % spatialSize)
        case .nhwc:
            (n, c, s) = (index / (shape.c * spatialSize), index % shape.c, index / shape.c % spatialSize)
        }
        var position = s, coordinates: [Int] = []
        for extent in shape.spatial.reversed() {
            coordinates.insert(position % extent, at: 0)
            position /= extent
        }
        return shape.spatial.isEmpty ? "n=\(n) c=\(c)" : "n=\(n) c=\(c) s=\(coordinates)"
    }
}
