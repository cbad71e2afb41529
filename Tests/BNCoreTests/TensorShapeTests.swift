import BNCore
import Testing

@Suite("Shapes and the feature view")
struct TensorShapeTests {
    @Test("initializers pick the layouts the API documents")
    func initializers() {
        #expect(TensorShape(n: 4, c: 3).layout == .nc)
        #expect(TensorShape(n: 4, c: 3).spatial.isEmpty)
        #expect(TensorShape(n: 4, c: 3, h: 5, w: 6).layout == .nchw)
        #expect(TensorShape(n: 4, c: 3, h: 5, w: 6, layout: .nhwc).spatial == [5, 6])
        #expect(TensorShape(n: 2, c: 3, spatial: [4, 5, 6]).dimensions == [2, 3, 4, 5, 6])
    }

    @Test("description reads as dimensions then layout")
    func description() {
        #expect(TensorShape(n: 32, c: 64, h: 8, w: 8).description == "[32, 64, 8, 8] NCHW")
        #expect(TensorShape(n: 60, c: 100).description == "[60, 100] NC")
    }

    /// (outer, features, inner) for every layout and mode, written from the layouts' definitions.
    @Test("every layout and mode maps onto [outer][features][inner]", arguments: [
        (TensorShape(n: 2, c: 3, h: 4, w: 5), NormalizationMode.spatial, [2, 3, 20]),
        (TensorShape(n: 2, c: 3, h: 4, w: 5, layout: .nhwc), .spatial, [40, 3, 1]),
        (TensorShape(n: 2, c: 3), .spatial, [2, 3, 1]),
        (TensorShape(n: 2, c: 3, h: 4, w: 5), .perActivation, [2, 60, 1]),
        (TensorShape(n: 2, c: 3, h: 4, w: 5, layout: .nhwc), .perActivation, [2, 60, 1]),
        (TensorShape(n: 2, c: 3), .perActivation, [2, 3, 1]),
        (TensorShape(n: 2, c: 3, spatial: [4, 5, 6]), .spatial, [2, 3, 120]),
        (TensorShape(n: 2, c: 3, spatial: [4, 5, 6], layout: .nhwc), .spatial, [240, 3, 1]),
        (TensorShape(n: 2, c: 3, spatial: []), .spatial, [2, 3, 1]),
    ])
    func geometry(shape: TensorShape, mode: NormalizationMode, expected: [Int]) throws {
        let geometry = try FeatureGeometry(shape: shape, mode: mode)
        #expect([geometry.outer, geometry.features, geometry.inner] == expected)
        #expect(geometry.elementCount == shape.dimensions.reduce(1, *))
        #expect(geometry.valuesPerFeature * geometry.features == geometry.elementCount)
    }

    @Test("the view visits every element once, in memory order")
    func forEachElement() throws {
        let geometry = try FeatureGeometry(shape: TensorShape(n: 2, c: 3, h: 2, w: 2), mode: .spatial)
        var indices: [Int] = [], features: [Int] = []
        geometry.forEachElement { indices.append($0); features.append($1) }
        #expect(indices == Array(0..<24))
        #expect(features == [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2])
    }

    @Test("a dimension below 1 is refused, naming it", arguments: [
        (TensorShape(n: 0, c: 3), "N is 0"),
        (TensorShape(n: 2, c: -1), "C is -1"),
        (TensorShape(n: 2, c: 3, h: 0, w: 4), "spatial[0] is 0"),
        (TensorShape(n: 2, c: 3, spatial: [4, 5, -6]), "spatial[2] is -6"),
    ])
    func nonPositiveDimension(shape: TensorShape, fragment: String) {
        #expect {
            try FeatureGeometry(shape: shape, mode: .spatial)
        } throws: { error in
            guard case let BatchNormError.invalidShape(refused, reason) = error else { return false }
            return refused == shape && reason.contains(fragment)
        }
    }

    @Test("an element count that overflows Int is refused")
    func overflow() {
        let shape = TensorShape(n: Int.max / 2, c: 3, h: 1, w: 1)
        #expect(throws: BatchNormError.invalidShape(shape, reason: "the element count overflows Int")) {
            try FeatureGeometry(shape: shape, mode: .spatial)
        }
    }

    @Test("NC with spatial dimensions is refused")
    func ncWithSpatial() {
        let shape = TensorShape(n: 2, c: 3, spatial: [4], layout: .nc)
        #expect(throws: BatchNormError.invalidShape(shape, reason: "layout NC takes no spatial dimensions; use .nchw or .nhwc")) {
            try FeatureGeometry(shape: shape, mode: .spatial)
        }
    }
}
