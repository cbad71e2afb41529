import BatchNorm
@testable import bn_train
import BNTestSupport
import Testing

/// The host layers of the convolutional network: the convolution against its definition in Double,
/// its gradients and the pooling's against central differences, in both layouts.
@Suite("bn-train's convolution and pooling")
struct ConvolutionTests {
    static let layouts: [TensorLayout] = [.nchw, .nhwc]

    /// A map of seeded values in [-1, 1], the same logical values in either layout.
    static func map(n: Int, c: Int, h: Int, w: Int, layout: TensorLayout, seed: UInt64) -> FeatureMap {
        var random = SeededGenerator(seed: seed)
        let logical = (0..<n * c * h * w).map { _ in Float.random(in: -1...1, using: &random) }
        return relaid(FeatureMap(n: n, c: c, h: h, w: w, layout: .nchw, values: logical), as: layout)
    }

    /// The map with its values moved to `layout`.
    static func relaid(_ map: FeatureMap, as layout: TensorLayout) -> FeatureMap {
        var result = FeatureMap(n: map.n, c: map.c, h: map.h, w: map.w, layout: layout)
        for i in 0..<map.n { for c in 0..<map.c { for y in 0..<map.h { for x in 0..<map.w {
            result.values[result.index(i, c, y, x)] = map.values[map.index(i, c, y, x)]
        } } } }
        return result
    }

    static func convolution(inputs: Int, outputs: Int, seed: UInt64) -> Convolution {
        var random = SeededRandom(seed: seed, stream: .weights)
        var layer = Convolution(inputs: inputs, outputs: outputs, scale: 0.5, using: &random)
        layer.bias = (0..<outputs).map { Float($0) * 0.25 - 0.5 }
        return layer
    }

    /// The convolution by its definition, in Double: y[i, o, r, c] = b[o] + Σ W[o, k, ky, kx]·x[i, k, r + ky − 1, c + kx − 1].
    static func definition(_ layer: Convolution, _ x: FeatureMap) -> FeatureMap {
        var y = FeatureMap(n: x.n, c: layer.outputChannels, h: x.h, w: x.w, layout: x.layout)
        for i in 0..<x.n { for o in 0..<layer.outputChannels { for r in 0..<x.h { for c in 0..<x.w {
            var sum = Double(layer.bias[o])
            for k in 0..<x.c { for ky in 0..<3 { for kx in 0..<3 {
                let (sr, sc) = (r + ky - 1, c + kx - 1)
                guard (0..<x.h).contains(sr), (0..<x.w).contains(sc) else { continue }
                sum += Double(layer.weights[((o * x.c + k) * 3 + ky) * 3 + kx]) * Double(x.values[x.index(i, k, sr, sc)])
            } } }
            y.values[y.index(i, o, r, c)] = Float(sum)
        } } } }
        return y
    }

    @Test("the convolution equals its definition, padding included, in each layout", arguments: layouts)
    func definition(layout: TensorLayout) {
        let x = Self.map(n: 2, c: 3, h: 5, w: 4, layout: layout, seed: 1)
        let layer = Self.convolution(inputs: 3, outputs: 4, seed: 2)
        let y = layer.forward(x)
        #expect((y.n, y.c, y.h, y.w, y.layout) == (2, 4, 5, 4, layout))
        // 27 products of |terms| ≤ 0.5·3 each: the float sum is within 27·2⁻²⁴·40 of the exact one.
        expectClose(y.values, Self.definition(layer, x).values.map(Double.init), scale: [Double](repeating: 1, count: y.values.count),
                    tolerance: 1e-4, "convolution in \(layout)")
        // A corner reads four of its nine taps: moving an image's far corner changes no other corner.
        var moved = x
        moved.values[x.index(0, 0, 4, 3)] += 10
        let shifted = layer.forward(moved)
        #expect(shifted.values[y.index(0, 0, 0, 0)] == y.values[y.index(0, 0, 0, 0)])
        #expect(shifted.values[y.index(0, 0, 4, 3)] != y.values[y.index(0, 0, 4, 3)])
    }

    @Test("NCHW and NHWC compute the same convolution and the same gradients, up to float rounding")
    func layoutsAgree() {
        let x = Self.map(n: 3, c: 2, h: 4, w: 4, layout: .nchw, seed: 3)
        let dy = Self.map(n: 3, c: 5, h: 4, w: 4, layout: .nchw, seed: 4)
        let layer = Self.convolution(inputs: 2, outputs: 5, seed: 5)
        let planar = layer.backward(input: x, outputGradient: dy)
        let interleaved = layer.backward(input: Self.relaid(x, as: .nhwc), outputGradient: Self.relaid(dy, as: .nhwc))
        let ones = { (count: Int) in [Double](repeating: 1, count: count) }
        expectClose(Self.relaid(layer.forward(Self.relaid(x, as: .nhwc)), as: .nchw).values,
                    layer.forward(x).values.map(Double.init), scale: ones(x.n * 5 * 16), tolerance: 1e-6, "y")
        expectClose(Self.relaid(interleaved.input, as: .nchw).values, planar.input.values.map(Double.init),
                    scale: ones(x.values.count), tolerance: 1e-6, "dx")
        expectClose(interleaved.weights, planar.weights.map(Double.init), scale: ones(layer.weights.count), tolerance: 1e-5, "dW")
        expectClose(interleaved.bias, planar.bias.map(Double.init), scale: ones(5), tolerance: 1e-5, "db")
    }

    /// L = Σ g·f(v), with g fixed: its gradient with respect to v is what a backward pass given
    /// dL/df = g returns.
    static func loss(_ values: [Float], _ g: [Float]) -> Double {
        zip(values, g).reduce(0) { $0 + Double($1.0) * Double($1.1) }
    }

    /// Records an issue unless `analytic` is within `tolerance` (relative to the largest |value|)
    /// of central differences of `loss` in each coordinate of `point`, stepped by `step`.
    static func expectCentralDifferences(_ analytic: [Float], at point: [Float], step: Float, tolerance: Double,
                                         _ label: String, loss: ([Float]) -> Double) {
        let scale = max(analytic.map { Double(abs($0)) }.max() ?? 1, 1e-3)
        var worst = 0.0
        for index in point.indices {
            var up = point, down = point
            up[index] += step
            down[index] -= step
            let numeric = (loss(up) - loss(down)) / (2 * Double(step))
            worst = max(worst, abs(numeric - Double(analytic[index])) / scale)
        }
        #expect(worst <= tolerance, "\(label): worst error \(worst) of the largest gradient")
    }

    @Test("the convolution's dx, dW and db equal central differences, in each layout", arguments: layouts)
    func convolutionGradients(layout: TensorLayout) {
        let x = Self.map(n: 2, c: 2, h: 4, w: 3, layout: layout, seed: 6)
        let g = Self.map(n: 2, c: 3, h: 4, w: 3, layout: layout, seed: 7)
        let layer = Self.convolution(inputs: 2, outputs: 3, seed: 8)
        let gradients = layer.backward(input: x, outputGradient: g)
        // The loss is linear in x, in W and in b, so central differences are exact but for rounding,
        // and a step of 1/4 keeps that rounding (2⁻²⁴ of a loss near 10) far below the tolerance.
        Self.expectCentralDifferences(gradients.input.values, at: x.values, step: 0.25, tolerance: 1e-4, "dx in \(layout)") {
            Self.loss(layer.forward(x.with(values: $0)).values, g.values)
        }
        Self.expectCentralDifferences(gradients.weights, at: layer.weights, step: 0.25, tolerance: 1e-4, "dW in \(layout)") {
            var moved = layer
            moved.weights = $0
            return Self.loss(moved.forward(x).values, g.values)
        }
        Self.expectCentralDifferences(gradients.bias, at: layer.bias, step: 0.25, tolerance: 1e-4, "db in \(layout)") {
            var moved = layer
            moved.bias = $0
            return Self.loss(moved.forward(x).values, g.values)
        }
    }

    @Test("2×2 max pooling takes each window's largest value and gives it the window's gradient", arguments: layouts)
    func pooling(layout: TensorLayout) {
        // distinct values 1/64 apart, so that a step of 1/512 never changes a window's winner
        var random = SeededGenerator(seed: 9)
        let count = 2 * 3 * 4 * 6
        let logical: [Float] = Array(0..<count).shuffled(using: &random).map { (k: Int) -> Float in Float(k) / 64 - 1 }
        let x = Self.relaid(FeatureMap(n: 2, c: 3, h: 4, w: 6, layout: .nchw, values: logical), as: layout)
        let (pooled, sources) = MaxPool.forward(x)
        #expect((pooled.n, pooled.c, pooled.h, pooled.w) == (2, 3, 2, 3))
        for i in 0..<2 { for c in 0..<3 { for r in 0..<2 { for col in 0..<3 {
            let offsets: [(Int, Int)] = [(0, 0), (0, 1), (1, 0), (1, 1)]
            let window: [Float] = offsets.map { (dr: Int, dc: Int) -> Float in x.values[x.index(i, c, 2 * r + dr, 2 * col + dc)] }
            #expect(pooled.values[pooled.index(i, c, r, col)] == window.max())
        } } } }
        let g = Self.map(n: 2, c: 3, h: 2, w: 3, layout: layout, seed: 10)
        let dx = MaxPool.backward(g, sources: sources, input: x)
        #expect(dx.values.filter { $0 != 0 }.count == g.values.count, "one input per window receives its gradient")
        Self.expectCentralDifferences(dx.values, at: x.values, step: 1.0 / 512, tolerance: 1e-4, "pooling dx in \(layout)") {
            Self.loss(MaxPool.forward(x.with(values: $0)).output.values, g.values)
        }
    }

    @Test("flattening orders channel, row, column in both layouts, and unflattening inverts it", arguments: layouts)
    func flattening(layout: TensorLayout) {
        let planar = Self.map(n: 2, c: 3, h: 2, w: 2, layout: .nchw, seed: 11)
        let map = Self.relaid(planar, as: layout)
        #expect(map.flattened().values == planar.values, "NCHW's own order, image by image")
        #expect(map.unflattening(map.flattened()) == map)
        // each image's positions row by row, in either layout
        let channel: [Float] = (0..<2).flatMap { (i: Int) -> [Float] in (0..<4).map { planar.values[(i * 3 + 1) * 4 + $0] } }
        #expect(map.channel(1) == channel)
    }
}
